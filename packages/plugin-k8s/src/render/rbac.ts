import { NODE_STATUS_GROUP, NODE_STATUS_PLURAL } from '../node-status/schema.js';
import { VARMOR_GROUP } from '../crd/kinds.js';

/** One RBAC rule and why the component needs it (docs/kubernetes.md's RBAC table is printed from these). */
export interface ExplainedRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  /** `cluster`: in the component's ClusterRole; `namespace`: in a Role of armorkit's own namespace only. */
  scope: 'cluster' | 'namespace';
  why: string;
}

export interface Grant {
  /** The ServiceAccount (and ClusterRole, Role) of the component. */
  component: 'manager' | 'agent';
  rules: readonly ExplainedRule[];
}

const POLICIES = ['varmorpolicies', 'varmorclusterpolicies'];

// Least privilege: only what the commands the manifests run do (manager pod: armorkit k8s webhook and armorkit k8s
// manager; agent pod: armorkit k8s agent). Nothing has a wildcard, nothing lists Secrets.
export const GRANTS: readonly Grant[] = [
  {
    component: 'manager',
    rules: [
      {
        apiGroups: [VARMOR_GROUP],
        resources: POLICIES,
        verbs: ['get', 'list', 'watch', 'update', 'patch'],
        scope: 'cluster',
        why: 'the webhook matches workloads against the policies it watches; the controller reconciles them and adds or removes its finalizer',
      },
      {
        apiGroups: [VARMOR_GROUP],
        resources: POLICIES.map((plural) => `${plural}/status`),
        verbs: ['get', 'update', 'patch'],
        scope: 'cluster',
        why: 'the controller writes profileName, phase, conditions and ready',
      },
      {
        apiGroups: [VARMOR_GROUP],
        resources: ['armorprofiles'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
        scope: 'cluster',
        why: 'the controller turns each policy into an ArmorProfile (in the policy namespace, or armorkit\'s for cluster policies) and re-renders it when egress addresses change',
      },
      {
        apiGroups: [VARMOR_GROUP],
        resources: ['armorprofiles/status'],
        verbs: ['get', 'update', 'patch'],
        scope: 'cluster',
        why: 'the controller writes desiredNumberLoaded, currentNumberLoaded and a condition per failed node',
      },
      {
        apiGroups: [NODE_STATUS_GROUP],
        resources: [NODE_STATUS_PLURAL],
        verbs: ['get', 'list', 'watch'],
        scope: 'cluster',
        why: 'the controller aggregates the agents\' reports (one ArmorNodeStatus per node); it never writes them',
      },
      {
        apiGroups: [''],
        resources: ['secrets'],
        verbs: ['get', 'create', 'update', 'patch', 'delete'],
        scope: 'cluster',
        why: 'NetworkProxy: the Secret `<profileName>` holding the proxy configuration, and secretRef header values, each by name; no list or watch, so it cannot enumerate Secrets',
      },
      {
        apiGroups: ['', 'events.k8s.io'],
        resources: ['events'],
        verbs: ['create', 'patch'],
        scope: 'cluster',
        why: 'events on the policies (`kubectl describe vpol`) saying what happened and why',
      },
      {
        apiGroups: ['apps'],
        resources: ['deployments', 'statefulsets', 'daemonsets'],
        verbs: ['get', 'list', 'update'],
        scope: 'cluster',
        why: 'updateExistingWorkloads: list the targets by name or selector and update the pod template (profiles and controller.varmor.org/restartedAt) for a rolling restart',
      },
      {
        apiGroups: ['discovery.k8s.io'],
        resources: ['endpointslices'],
        verbs: ['get', 'list', 'watch'],
        scope: 'cluster',
        why: 'toServices egress: the endpoint addresses and ports of the Services a BPF policy names',
      },
      {
        apiGroups: [''],
        resources: ['services', 'pods'],
        verbs: ['get', 'list', 'watch'],
        scope: 'cluster',
        why: 'toServices and toPods egress: cluster IPs of Services, status.podIPs of the pods a BPF policy names',
      },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'create', 'update'],
        scope: 'namespace',
        why: 'leader election between the replicas (Lease `armorkit-manager`), so only one controller acts; renewals are updates with the resourceVersion read',
      },
    ],
  },
  {
    component: 'agent',
    rules: [
      {
        apiGroups: [VARMOR_GROUP],
        resources: ['armorprofiles'],
        verbs: ['get', 'list', 'watch'],
        scope: 'cluster',
        why: 'the node agent loads the profiles of the ArmorProfiles it watches onto its node',
      },
      {
        apiGroups: [NODE_STATUS_GROUP],
        resources: [NODE_STATUS_PLURAL],
        verbs: ['get', 'create'],
        scope: 'cluster',
        why: 'the agent creates its node\'s ArmorNodeStatus once (named after the node; RBAC cannot limit create to that name: see below)',
      },
      {
        apiGroups: [NODE_STATUS_GROUP],
        resources: [`${NODE_STATUS_PLURAL}/status`],
        verbs: ['get', 'update', 'patch'],
        scope: 'cluster',
        why: 'the agent reports what it loaded, through the status subresource of its own object',
      },
      {
        apiGroups: [''],
        resources: ['pods'],
        verbs: ['get', 'list', 'watch'],
        scope: 'cluster',
        why: 'the pods of its node (field selector spec.nodeName), to find the containers a profile applies to',
      },
    ],
  },
];

/** The RBAC table of docs/kubernetes.md: component, scope, API group, resources, verbs, why. */
export function rbacTableText(): string {
  const rows = GRANTS.flatMap(({ component, rules }) =>
    rules.map(
      (rule) =>
        `| ${component} | ${rule.scope === 'cluster' ? 'cluster' : 'armorkit\'s namespace'} | ${rule.apiGroups.map((group) => `\`${group || 'core'}\``).join(', ')} | ${rule.resources.map((r) => `\`${r}\``).join(', ')} | ${rule.verbs.join(', ')} | ${rule.why} |`,
    ),
  );
  return ['| component | scope | API group | resources | verbs | why |', '| --- | --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
}
