// The resources the double serves: where each lives, whether it is namespaced and whether it has a status subresource.

export interface ResourceDefinition {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Writes to the main resource keep the stored status; `/status` writes change only the status. */
  statusSubresource: boolean;
  /** A custom resource (CRD): an update must carry metadata.resourceVersion, strategic merge patch is refused. */
  custom: boolean;
}

export const apiVersionOf = (definition: Pick<ResourceDefinition, 'group' | 'version'>) =>
  definition.group ? `${definition.group}/${definition.version}` : definition.version;

/** `/api/v1/secrets`, `/apis/crd.varmor.org/v1beta1/armorprofiles`: the all-namespaces path, the double's key. */
export const collectionOf = (definition: Pick<ResourceDefinition, 'group' | 'version' | 'plural'>) =>
  definition.group ? `/apis/${definition.group}/${definition.version}/${definition.plural}` : `/api/${definition.version}/${definition.plural}`;

const builtin = (group: string, version: string, plural: string, kind: string, namespaced: boolean, statusSubresource = false): ResourceDefinition => ({
  group,
  version,
  plural,
  kind,
  namespaced,
  statusSubresource,
  custom: false,
});
const custom = (group: string, version: string, plural: string, kind: string, namespaced: boolean): ResourceDefinition => ({
  group,
  version,
  plural,
  kind,
  namespaced,
  statusSubresource: true,
  custom: true,
});

/** What armorkit's controller, agent and webhook read and write; `ApiDouble.define` adds others. */
export const DEFAULT_RESOURCES: readonly ResourceDefinition[] = [
  builtin('', 'v1', 'namespaces', 'Namespace', false, true),
  builtin('', 'v1', 'nodes', 'Node', false, true),
  builtin('', 'v1', 'pods', 'Pod', true, true),
  builtin('', 'v1', 'secrets', 'Secret', true),
  builtin('', 'v1', 'configmaps', 'ConfigMap', true),
  builtin('', 'v1', 'services', 'Service', true, true),
  builtin('', 'v1', 'events', 'Event', true),
  builtin('events.k8s.io', 'v1', 'events', 'Event', true),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  builtin('apps', 'v1', 'deployments', 'Deployment', true, true),
  builtin('apps', 'v1', 'statefulsets', 'StatefulSet', true, true),
  builtin('apps', 'v1', 'daemonsets', 'DaemonSet', true, true),
  builtin('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  custom('crd.varmor.org', 'v1beta1', 'varmorpolicies', 'VarmorPolicy', true),
  custom('crd.varmor.org', 'v1beta1', 'varmorclusterpolicies', 'VarmorClusterPolicy', false),
  custom('crd.varmor.org', 'v1beta1', 'armorprofiles', 'ArmorProfile', true),
  custom('crd.varmor.org', 'v1beta1', 'armorprofilemodels', 'ArmorProfileModel', true),
  custom('armorkit.dev', 'v1alpha1', 'armornodestatuses', 'ArmorNodeStatus', false),
  custom('armorkit.dev', 'v1alpha1', 'armormodelparts', 'ArmorModelPart', true),
];

/** KubeArmor's CRDs (security.kubearmor.com/v1), each with a status subresource: not served until a test `define`s them. */
export const KUBEARMOR_RESOURCES: readonly ResourceDefinition[] = [
  custom('security.kubearmor.com', 'v1', 'kubearmorpolicies', 'KubeArmorPolicy', true),
  custom('security.kubearmor.com', 'v1', 'kubearmorclusterpolicies', 'KubeArmorClusterPolicy', false),
  custom('security.kubearmor.com', 'v1', 'kubearmorhostpolicies', 'KubeArmorHostPolicy', false),
];

export interface ParsedPath {
  collection: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** `/apis/g/v/namespaces/ns/plural/name/status` and its shorter forms; undefined for a path that is no resource. */
export function parseResourcePath(pathname: string): ParsedPath | undefined {
  const segments = pathname.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  let prefix: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    prefix = `/api/${segments[1]}`;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    prefix = `/apis/${segments[1]}/${segments[2]}`;
    rest = segments.slice(3);
  } else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const [, namespace, plural, name, subresource] = rest;
    return { collection: `${prefix}/${plural}`, namespace, ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) };
  }
  const [plural, name, subresource] = rest;
  return { collection: `${prefix}/${plural}`, ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) };
}
