// toServices / toPods egress, resolved (reference §3.6): which addresses a BPF policy's Service and Pod rules mean,
// from the Services, EndpointSlices and Pods the informers hold. Pure: a snapshot in, addresses out. The shapes match
// plugin-bpf's BpfEgressResolver (compile/egress-resolver.ts) structurally, so plugin-k8s needs no dependency on it.
import type { PodEgress, ServiceEgress } from '@armorkit/core/schema';
import { selectorMatches } from '../../mutate/label-selector.js';

export type ServiceQuery = Omit<ServiceEgress, 'qualifiers'>;
export type PodQuery = Omit<PodEgress, 'qualifiers' | 'ports'>;

export interface PortSpec {
  port: number;
  endPort?: number;
}

export interface ResolvedDestination {
  ip: string;
  /** The ports at that address; absent = every port (a Service's cluster IP). */
  ports?: PortSpec[];
}

export type Resolved<T> = T | { error: string };

/** What resolution reads of a Service. */
export interface ServiceView {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** spec.clusterIPs (or spec.clusterIP); none for a headless or ExternalName Service. */
  clusterIPs: readonly string[];
}

/** What resolution reads of an EndpointSlice. */
export interface EndpointSliceView {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** Every endpoint's addresses. */
  addresses: readonly string[];
  /** The slice's ports; none = every port. */
  ports: readonly number[];
}

/** What resolution reads of a Pod. */
export interface PodAddressView {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** status.podIPs (or status.podIP); none for a pod not yet scheduled or already finished. */
  podIPs: readonly string[];
}

export interface EgressSnapshot {
  services: readonly ServiceView[];
  endpointSlices: readonly EndpointSliceView[];
  pods: readonly PodAddressView[];
}

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : []);
const labelsOf = (metadata: Json): Record<string, string> =>
  isRecord(metadata.labels) ? Object.fromEntries(Object.entries(metadata.labels).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) : {};

function meta(object: unknown): { metadata: Json; namespace: string; name: string } | undefined {
  if (!isRecord(object) || !isRecord(object.metadata)) return undefined;
  const { name, namespace } = object.metadata;
  return typeof name === 'string' && typeof namespace === 'string' ? { metadata: object.metadata, namespace, name } : undefined;
}

/** A Service object as resolution reads it; undefined for something that is not one. */
export function serviceView(object: unknown): ServiceView | undefined {
  const read = meta(object);
  if (!read) return undefined;
  const spec = isRecord((object as Json).spec) ? ((object as Json).spec as Json) : {};
  const ips = strings(spec.clusterIPs).length > 0 ? strings(spec.clusterIPs) : strings([spec.clusterIP]);
  return { namespace: read.namespace, name: read.name, labels: labelsOf(read.metadata), clusterIPs: ips.filter((ip) => ip !== 'None') };
}

/** An EndpointSlice (discovery.k8s.io/v1) as resolution reads it. */
export function endpointSliceView(object: unknown): EndpointSliceView | undefined {
  const read = meta(object);
  if (!read) return undefined;
  const slice = object as Json;
  const endpoints = Array.isArray(slice.endpoints) ? slice.endpoints.filter(isRecord) : [];
  const ports = Array.isArray(slice.ports) ? slice.ports.filter(isRecord).map((port) => port.port) : [];
  // A port without a number means every port (EndpointSlice API); then the slice's addresses are blocked on all.
  const allPorts = ports.some((port) => typeof port !== 'number');
  return {
    namespace: read.namespace,
    name: read.name,
    labels: labelsOf(read.metadata),
    addresses: endpoints.flatMap((endpoint) => strings(endpoint.addresses)),
    ports: allPorts ? [] : ports.filter((port): port is number => typeof port === 'number'),
  };
}

/** A Pod as resolution reads it; a pod that has finished (Succeeded, Failed) has given its address back. */
export function podAddressView(object: unknown): PodAddressView | undefined {
  const read = meta(object);
  if (!read) return undefined;
  const status = isRecord((object as Json).status) ? ((object as Json).status as Json) : {};
  const finished = status.phase === 'Succeeded' || status.phase === 'Failed';
  const listed = Array.isArray(status.podIPs) ? status.podIPs.filter(isRecord).map((entry) => entry.ip) : [];
  const ips = strings(listed).length > 0 ? strings(listed) : strings([status.podIP]);
  return { namespace: read.namespace, name: read.name, labels: labelsOf(read.metadata), podIPs: finished ? [] : ips };
}

const inNamespace = (namespace: string | undefined) => (object: { namespace: string }) => namespace === undefined || object.namespace === namespace;
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One destination per address, ports merged and sorted; sorted by address, so equal inputs give equal output. */
function merged(destinations: ResolvedDestination[]): ResolvedDestination[] {
  const byIp = new Map<string, Set<number> | 'all'>();
  for (const { ip, ports } of destinations) {
    const held = byIp.get(ip);
    if (held === 'all' || ports === undefined || ports.length === 0) byIp.set(ip, 'all');
    else byIp.set(ip, new Set([...(held ?? []), ...ports.map((spec) => spec.port)]));
  }
  return [...byIp.entries()]
    .sort(([a], [b]) => byText(a, b))
    .map(([ip, ports]) => (ports === 'all' ? { ip } : { ip, ports: [...ports].sort((a, b) => a - b).map((port) => ({ port })) }));
}

/**
 * The cluster IPs (every port) and endpoint addresses (the slice's ports) of the Services a toServices rule names:
 * by namespace and name, or by serviceSelector (in the namespace, or every namespace without one). Slices belong to
 * a selected Service by the kubernetes.io/service-name label; vArmor also takes slices whose own labels match the
 * selector (the EndpointSlice controller copies the Service's labels), and so does this. A Service that does not
 * exist (yet) resolves to no address: when it appears, the watcher re-renders the profile.
 */
export function resolveServices(snapshot: EgressSnapshot, query: ServiceQuery): Resolved<{ destinations: ResolvedDestination[] }> {
  if (query.name !== undefined && query.namespace === undefined) return { error: `service ${JSON.stringify(query.name)} is selected by name, which needs its namespace` };
  if (query.name === undefined && query.serviceSelector === undefined) return { error: 'a service rule needs name (with namespace) or serviceSelector' };
  const selector = query.serviceSelector;
  const services = snapshot.services
    .filter(inNamespace(query.namespace))
    .filter((service) => (query.name !== undefined ? service.name === query.name : selectorMatches(selector!, service.labels)));
  const owners = new Set(services.map((service) => `${service.namespace}/${service.name}`));
  const slices = snapshot.endpointSlices.filter(inNamespace(query.namespace)).filter((slice) => {
    const owner = slice.labels[SERVICE_NAME_LABEL];
    if (owner !== undefined && owners.has(`${slice.namespace}/${owner}`)) return true;
    return query.name === undefined && selectorMatches(selector!, slice.labels);
  });
  const destinations: ResolvedDestination[] = [
    ...services.flatMap((service) => service.clusterIPs.map((ip) => ({ ip }))),
    ...slices.flatMap((slice) => slice.addresses.map((ip) => (slice.ports.length > 0 ? { ip, ports: slice.ports.map((port) => ({ port })) } : { ip }))),
  ];
  return { destinations: merged(destinations) };
}

/** The addresses (status.podIPs) of the pods a toPods rule selects, in its namespace or every namespace. */
export function resolvePods(snapshot: EgressSnapshot, query: PodQuery): Resolved<{ addresses: string[] }> {
  const addresses = new Set(
    snapshot.pods
      .filter(inNamespace(query.namespace))
      .filter((pod) => selectorMatches(query.podSelector, pod.labels))
      .flatMap((pod) => pod.podIPs),
  );
  return { addresses: [...addresses].sort(byText) };
}
