import { MODEL_PART_GROUP, MODEL_PART_PLURAL } from '../model/part-schema.js';
import { NODE_STATUS_GROUP, NODE_STATUS_PLURAL } from '../node-status/schema.js';
import { VARMOR_GROUP } from '../crd/kinds.js';
import { KUBEARMOR_GROUP, KUBEARMOR_POLICY_KINDS, POLICY_RESOURCES } from '../controller/names.js';

/** One RBAC rule and why the component needs it (docs/kubernetes.md's RBAC table is printed from these). */
export interface ExplainedRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  /** `cluster`: in the component's ClusterRole; `namespace`: in a Role of armorkit's own namespace only. */
  scope: 'cluster' | 'namespace';
  /** Granted only with this switch of the values on (`kubearmor.enabled`). */
  when?: 'kubearmor';
  why: string;
}

export interface Grant {
  /** The ServiceAccount (and ClusterRole, Role) of the component. */
  component: 'manager' | 'agent';
  rules: readonly ExplainedRule[];
}

const POLICIES = ['varmorpolicies', 'varmorclusterpolicies'];
const KUBEARMOR_POLICIES = KUBEARMOR_POLICY_KINDS.map((kind) => POLICY_RESOURCES[kind].plural);

// Least privilege: only what the commands the manifests run do (manager pod: armorkit k8s webhook and armorkit k8s
// manager; agent pod: armorkit k8s agent), proved by test/rbac-scenario.test.ts. Nothing has a wildcard.
export const GRANTS: readonly Grant[] = [
  {
    component: 'manager',
    rules: [
      {
        apiGroups: [VARMOR_GROUP],
        resources: POLICIES,
        verbs: ['list', 'watch'],
        scope: 'cluster',
        why: 'the webhook matches workloads against the policies it watches; the controller reconciles each one from its informer',
      },
      {
        apiGroups: [VARMOR_GROUP],
        resources: POLICIES.map((plural) => `${plural}/status`),
        verbs: ['update'],
        scope: 'cluster',
        why: 'the controller writes profileName, phase, conditions and ready (with the resourceVersion it read)',
      },
      {
        apiGroups: [VARMOR_GROUP],
        resources: POLICIES.map((plural) => `${plural}/finalizers`),
        verbs: ['update'],
        scope: 'cluster',
        why: 'the ArmorProfiles and Secrets are owned by their policy with blockOwnerDeletion, which the API server allows only to who may update the owner\'s finalizers',
      },
      {
        apiGroups: [KUBEARMOR_GROUP],
        resources: KUBEARMOR_POLICIES,
        verbs: ['list', 'watch'],
        scope: 'cluster',
        when: 'kubearmor',
        why: 'the webhook matches pods against the KubeArmorPolicies and KubeArmorClusterPolicies; the controller turns all three kinds into ArmorProfiles',
      },
      {
        apiGroups: [KUBEARMOR_GROUP],
        resources: KUBEARMOR_POLICIES.map((plural) => `${plural}/status`),
        verbs: ['update'],
        scope: 'cluster',
        when: 'kubearmor',
        why: 'the controller writes status.status (OK, or the phase and why), the one field KubeArmor\'s CRDs have',
      },
      {
        apiGroups: [KUBEARMOR_GROUP],
        // A KubeArmorHostPolicy owns nothing (no ArmorProfile is made for it).
        resources: KUBEARMOR_POLICIES.filter((plural) => plural !== POLICY_RESOURCES.KubeArmorHostPolicy.plural).map((plural) => `${plural}/finalizers`),
        verbs: ['update'],
        scope: 'cluster',
        when: 'kubearmor',
        why: 'the ArmorProfiles are owned by their KubeArmorPolicy or KubeArmorClusterPolicy with blockOwnerDeletion (as for vArmor\'s policies)',
      },
      {
        apiGroups: [''],
        resources: ['namespaces'],
        verbs: ['list', 'watch'],
        scope: 'cluster',
        when: 'kubearmor',
        why: 'a KubeArmorPolicy compiles with the posture annotations of its namespace (kubearmor-file-posture, ...), and again when they change (an informer: no get)',
      },
      {
        apiGroups: [VARMOR_GROUP],
        resources: ['armorprofiles'],
        verbs: ['list', 'watch', 'create', 'update'],
        scope: 'cluster',
        why: 'the controller turns each policy into an ArmorProfile (in the policy namespace, or armorkit\'s for cluster policies), re-renders it when egress addresses change, and removes its finalizer once no node holds it; the garbage collector deletes it',
      },
      {
        apiGroups: [VARMOR_GROUP],
        resources: ['armorprofiles'],
        verbs: ['delete'],
        scope: 'cluster',
        when: 'kubearmor',
        why: 'merged KubeArmor profiles: the controller deletes a set\'s ArmorProfile once no pod runs under it (no one policy owns it for the garbage collector to follow)',
      },
      {
        apiGroups: [VARMOR_GROUP],
        resources: ['armorprofiles/status'],
        verbs: ['update'],
        scope: 'cluster',
        why: 'the controller writes desiredNumberLoaded, currentNumberLoaded and a condition per failed node',
      },
      {
        apiGroups: [NODE_STATUS_GROUP],
        resources: [NODE_STATUS_PLURAL],
        verbs: ['list', 'watch'],
        scope: 'cluster',
        why: 'the controller aggregates the agents\' reports (one ArmorNodeStatus per node); it never writes them',
      },
      {
        apiGroups: [VARMOR_GROUP],
        resources: ['armorprofilemodels'],
        verbs: ['list', 'watch', 'create', 'update'],
        scope: 'cluster',
        why: 'BehaviorModeling: the controller writes the ArmorProfileModel of each run (named as its ArmorProfile) from the nodes\' parts, and compiles DefenseInDepth policies from the completed ones',
      },
      {
        apiGroups: [VARMOR_GROUP],
        resources: ['armorprofilemodels/status'],
        verbs: ['update'],
        scope: 'cluster',
        why: 'the model\'s desiredNumber, completedNumber, ready and Ready condition',
      },
      {
        apiGroups: [MODEL_PART_GROUP],
        resources: [MODEL_PART_PLURAL],
        verbs: ['list', 'watch', 'create', 'patch', 'delete'],
        scope: 'cluster',
        why: 'BehaviorModeling: the controller merges the nodes\' parts, deletes them once merged into a completed model, and keeps a model too large for one object in parts of its own',
      },
      {
        apiGroups: [''],
        resources: ['secrets'],
        verbs: ['list', 'watch', 'create', 'update', 'delete'],
        scope: 'cluster',
        why: 'NetworkProxy: the Secret `<profileName>` holding the proxy configuration, in the policy\'s namespace (a cluster policy: every namespace). Watched with the label armorkit.dev/proxy-profile, but RBAC cannot limit list and watch by label: this grant reads every Secret, the price of one watch instead of a get per namespace and policy at every resync',
      },
      {
        apiGroups: [''],
        resources: ['namespaces'],
        verbs: ['list', 'watch'],
        scope: 'cluster',
        why: 'a cluster policy\'s NetworkProxy Secret is copied into each namespace, and removed from one that goes',
      },
      {
        apiGroups: [''],
        resources: ['events'],
        verbs: ['create'],
        scope: 'cluster',
        why: 'events on the policies and ArmorProfiles (`kubectl describe vpol`) saying what happened and why',
      },
      {
        apiGroups: ['apps'],
        resources: ['deployments', 'statefulsets', 'daemonsets'],
        verbs: ['get', 'list', 'update'],
        scope: 'cluster',
        why: 'updateExistingWorkloads: list the targets by name or selector, update the pod template (profiles and controller.varmor.org/restartedAt) for a rolling restart, read one again after a conflict',
      },
      {
        apiGroups: ['discovery.k8s.io'],
        resources: ['endpointslices'],
        verbs: ['list', 'watch'],
        scope: 'cluster',
        why: 'toServices egress: the endpoint addresses and ports of the Services a BPF policy names',
      },
      {
        apiGroups: [''],
        resources: ['services', 'pods'],
        verbs: ['list', 'watch'],
        scope: 'cluster',
        why: 'toServices and toPods egress: cluster IPs of Services, status.podIPs of the pods a BPF policy names; with kubearmor, the pods the webhook marked with merged KubeArmor profiles (label armorkit.dev/kubearmor-set)',
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
        verbs: ['list', 'watch'],
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
        verbs: ['patch'],
        scope: 'cluster',
        why: 'the agent reports what it loaded, one JSON patch of the status subresource of its own object per change',
      },
      {
        apiGroups: [''],
        resources: ['pods'],
        verbs: ['list', 'watch'],
        scope: 'cluster',
        why: 'the pods of its node (field selector spec.nodeName), to find the containers a profile applies to',
      },
      {
        apiGroups: [MODEL_PART_GROUP],
        resources: [MODEL_PART_PLURAL],
        verbs: ['list', 'create', 'patch'],
        scope: 'cluster',
        why: 'BehaviorModeling: the agent writes its node\'s part of each run\'s model (chunks named after the profile and a hash of the node) and reads it back after a restart (list by the profile label); a part only grows, so it never deletes one (the controller does, once merged); RBAC cannot limit these to its own node\'s objects',
      },
    ],
  },
];

/** The RBAC table of docs/kubernetes.md: component, scope, API group, resources, verbs, why. */
export function rbacTableText(): string {
  const rows = GRANTS.flatMap(({ component, rules }) =>
    rules.map(
      (rule) =>
        `| ${component} | ${rule.scope === 'cluster' ? 'cluster' : 'armorkit\'s namespace'}${rule.when ? ` (with ${rule.when}.enabled)` : ''} | ${rule.apiGroups.map((group) => `\`${group || 'core'}\``).join(', ')} | ${rule.resources.map((r) => `\`${r}\``).join(', ')} | ${rule.verbs.join(', ')} | ${rule.why} |`,
    ),
  );
  return ['| component | scope | API group | resources | verbs | why |', '| --- | --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
}
