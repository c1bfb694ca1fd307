import { VARMOR_GROUP } from '../crd/kinds.js';

/** One RBAC rule and why the component needs it (docs/kubernetes.md's RBAC table is printed from these). */
export interface ExplainedRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  why: string;
}

export interface Grant {
  /** The ServiceAccount (and ClusterRole) of the component. */
  component: 'manager' | 'agent';
  rules: readonly ExplainedRule[];
}

// Least privilege: only what the commands the manifests run (armorkit k8s webhook, armorkit k8s agent) do.
export const GRANTS: readonly Grant[] = [
  {
    component: 'manager',
    rules: [
      {
        apiGroups: [VARMOR_GROUP],
        resources: ['varmorpolicies', 'varmorclusterpolicies'],
        verbs: ['get', 'list', 'watch'],
        why: 'the mutating webhook matches workloads against the cluster policies and the namespace policies it watches',
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
        why: 'the node agent loads the profiles of the ArmorProfiles it watches onto its node',
      },
    ],
  },
];

/** The RBAC table of docs/kubernetes.md: component, API group, resources, verbs, why. */
export function rbacTableText(): string {
  const rows = GRANTS.flatMap(({ component, rules }) =>
    rules.map((rule) => `| ${component} | \`${rule.apiGroups.join(', ') || 'core'}\` | ${rule.resources.map((r) => `\`${r}\``).join(', ')} | ${rule.verbs.join(', ')} | ${rule.why} |`),
  );
  return ['| component | API group | resources | verbs | why |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
}
