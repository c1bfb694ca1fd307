import type { PodEgress, ServiceEgress } from '@armorkit/core/schema';
import type { PortSpec } from './ports.js';

/** A Service named by the policy: by name (with namespace) or by label selector (in a namespace or all). */
export type ServiceQuery = Omit<ServiceEgress, 'qualifiers'>;
/** Pods named by the policy: a label selector, in a namespace or all. */
export type PodQuery = Omit<PodEgress, 'qualifiers' | 'ports'>;

export interface ResolvedDestination {
  ip: string;
  /** The ports to block at that address; none = every port (a Service's cluster IP). */
  ports?: PortSpec[];
}

export type Resolved<T> = T | { error: string };

/**
 * Turns Kubernetes objects into addresses when a profile is compiled (vArmor's toServices, toPods and the built-in
 * Service rules). The Kubernetes integration implements it from its informers; compile stays pure.
 */
export interface BpfEgressResolver {
  /** The cluster IPs (every port) and endpoint addresses (with their ports) of the selected Services. */
  services(query: ServiceQuery): Resolved<{ destinations: ResolvedDestination[] }>;
  /** The addresses of the selected Pods. */
  pods(query: PodQuery): Resolved<{ addresses: string[] }>;
}
