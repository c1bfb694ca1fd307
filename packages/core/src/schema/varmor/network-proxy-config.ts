import { z } from 'zod';
import { asArray, asNumber, asString, isRecord, withCheck } from './check.js';
import { quantitySchema, quantityValue } from './quantity.js';
import { yamlSafeString } from './yaml-safe.js';

export const DEFAULT_PROXY_UID = 1337;
export const DEFAULT_PROXY_PORT = 15001;
export const DEFAULT_PROXY_ADMIN_PORT = 15000;

export const secretKeyRefSchema = z.strictObject({
  name: z.string().min(1),
  key: z.string().min(1),
});

/** A header set on requests to a MITM domain: a literal value or one read from a Secret. */
export const headerMutationHeaderSchema = withCheck(
  z.strictObject({
    name: yamlSafeString('header name'),
    value: z.string().optional(),
    secretRef: secretKeyRefSchema.optional(),
  }),
  (header, report) => {
    if (header.value !== undefined && header.secretRef !== undefined) {
      report(['secretRef'], 'constraint', 'value and secretRef are mutually exclusive; keep one of them');
    } else if (header.value === undefined && header.secretRef === undefined) {
      const name = asString(header.name);
      report([], 'required', `${name === undefined ? 'a header' : `header ${JSON.stringify(name)}`} needs a value or a secretRef`);
    }
  },
);

export const headerMutationSchema = z.strictObject({
  domain: yamlSafeString('domain'),
  headers: z.array(headerMutationHeaderSchema).min(1),
});

export const mitmConfigSchema = withCheck(
  z.strictObject({
    /** Hosts (DNS names, `*.` wildcards, IPs, /32 or /128 CIDRs) whose TLS the proxy terminates. */
    domains: z.array(yamlSafeString('domain')).min(1),
    headerMutations: z.array(headerMutationSchema).optional(),
  }),
  (mitm, report) => {
    const domains = new Set(asArray(mitm.domains));
    asArray(mitm.headerMutations).forEach((mutation, index) => {
      const domain = isRecord(mutation) ? asString(mutation.domain) : undefined;
      if (domain !== undefined && !domains.has(domain)) {
        report(['headerMutations', index, 'domain'], 'constraint', `domain ${JSON.stringify(domain)} is not listed in mitm.domains`);
      }
    });
  },
);
export type MitmConfig = z.infer<typeof mitmConfigSchema>;

const isQuantityInput = (value: unknown): value is string | number | bigint => ['string', 'number', 'bigint'].includes(typeof value);

const resourceListSchema = z.record(z.string(), quantitySchema);

/** Kubernetes ResourceRequirements for the proxy sidecar. */
export const proxyResourcesSchema = withCheck(
  z.strictObject({
    requests: resourceListSchema.optional(),
    limits: resourceListSchema.optional(),
  }),
  (resources, report) => {
    if (!isRecord(resources.requests) || !isRecord(resources.limits)) return;
    for (const [resource, limit] of Object.entries(resources.limits).sort(([a], [b]) => a.localeCompare(b))) {
      const request = Object.hasOwn(resources.requests, resource) ? resources.requests[resource] : undefined;
      if (!isQuantityInput(request) || !isQuantityInput(limit)) continue;
      const limitValue = quantityValue(limit);
      const requestValue = quantityValue(request);
      if (limitValue !== undefined && requestValue !== undefined && limitValue < requestValue) {
        report(['limits', resource], 'constraint', `${resource} limit ${limit} is less than the request ${request}`);
      }
    }
  },
);

const portNumber = z.number().int().min(1).max(65535);

export const networkProxyConfigSchema = withCheck(
  z.strictObject({
    mitm: mitmConfigSchema.optional(),
    resources: proxyResourcesSchema.optional(),
    /** The proxy runs as this UID; iptables lets its traffic through. Immutable after creation. */
    proxyUID: z.number().int().min(0).optional(),
    proxyPort: portNumber.optional(),
    proxyAdminPort: portNumber.optional(),
  }),
  (config, report) => {
    const port = asNumber(config.proxyPort) ?? DEFAULT_PROXY_PORT;
    const adminPort = asNumber(config.proxyAdminPort) ?? DEFAULT_PROXY_ADMIN_PORT;
    if (port === adminPort) {
      const where = config.proxyPort !== undefined ? 'proxyPort' : 'proxyAdminPort';
      report([where], 'constraint', `proxyPort and proxyAdminPort are both ${port}; the proxy needs two different ports`);
    }
  },
);
export type NetworkProxyConfig = z.infer<typeof networkProxyConfigSchema>;
