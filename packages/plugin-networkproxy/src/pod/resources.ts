import type { JsonValue } from '@armorkit/core';
import type { PolicyProxyConfig } from '../compile/proxy-config.js';

type Quantity = string | number | bigint;
type ResourceList = Record<string, Quantity>;

/** vArmor's sidecar defaults (reference §4.1); TLS interception costs more (handshakes both ways). */
export const PROXY_RESOURCES = {
  plain: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  mitm: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1000m', memory: '512Mi' } },
} as const;
/** The init container only runs iptables. */
export const INIT_RESOURCES = { requests: { cpu: '10m', memory: '16Mi' } } as const;

// A YAML integer past 2^53 is a bigint; a quantity string says the same and is JSON.
const listJson = (list: ResourceList): Record<string, JsonValue> =>
  Object.fromEntries(Object.entries(list).map(([name, quantity]) => [name, typeof quantity === 'bigint' ? quantity.toString() : quantity]));

/**
 * The sidecar's resources: `networkProxyConfig.resources` when the policy gives it (as written: Kubernetes takes a
 * missing request from the limit), else the default for the policy's kind of traffic.
 */
export function sidecarResources(config: PolicyProxyConfig | undefined): Record<string, JsonValue> {
  const own = config?.resources;
  if (own) return { ...(own.requests ? { requests: listJson(own.requests) } : {}), ...(own.limits ? { limits: listJson(own.limits) } : {}) };
  const defaults = config?.mitm ? PROXY_RESOURCES.mitm : PROXY_RESOURCES.plain;
  return { requests: { ...defaults.requests }, limits: { ...defaults.limits } };
}
