import { z } from 'zod';
import { asString, withCheck } from './check.js';
import { IP_ENTITIES, cidrProblem, ipProblem } from './ip.js';
import { bpfQualifiersSchema } from './bpf-qualifiers.js';
import { labelSelectorSchema } from './label-selector.js';
import { portSchema } from './port.js';

export const SOCKET_DOMAINS = [
  'all', '*',
  'unix', 'inet', 'ax25', 'ipx', 'appletalk', 'netrom', 'bridge', 'atmpvc', 'x25', 'inet6', 'rose', 'netbeui', 'security',
  'key', 'netlink', 'packet', 'ash', 'econet', 'atmsvc', 'rds', 'sna', 'irda', 'pppox', 'wanpipe', 'llc', 'ib', 'mpls',
  'can', 'tipc', 'bluetooth', 'iucv', 'rxrpc', 'isdn', 'phonet', 'ieee802154', 'caif', 'alg', 'nfc', 'vsock', 'kcm',
  'qipcrtr', 'smc', 'xdp', 'mctp',
] as const;
export const SOCKET_TYPES = ['all', '*', 'stream', 'dgram', 'raw', 'rdm', 'seqpacket', 'dccp', 'packet'] as const;
export const SOCKET_PROTOCOLS = ['all', '*', 'icmp', 'tcp', 'udp'] as const;

/** One BPF connect rule matches at most this many single ports. */
export const MAX_PORTS_PER_RULE = 16;

/** Matches socket(2) calls; a field left out matches any value. */
export const networkSocketRuleSchema = withCheck(
  z.strictObject({
    qualifiers: bpfQualifiersSchema,
    domains: z.array(z.enum(SOCKET_DOMAINS)).min(1).optional(),
    types: z.array(z.enum(SOCKET_TYPES)).min(1).optional(),
    protocols: z.array(z.enum(SOCKET_PROTOCOLS)).min(1).optional(),
  }),
  (rule, report) => {
    if (rule.types !== undefined && rule.protocols !== undefined) {
      report(['protocols'], 'constraint', 'types and protocols are mutually exclusive; keep one of them');
    } else if (rule.domains === undefined && rule.types === undefined && rule.protocols === undefined) {
      report([], 'required', 'a socket rule needs at least one of domains, types or protocols');
    }
  },
);
export type NetworkSocketRule = z.infer<typeof networkSocketRuleSchema>;

const destinationIpSchema = z
  .string()
  .min(1)
  .superRefine((ip, ctx) => {
    const problem = ip === '' || (IP_ENTITIES as readonly string[]).includes(ip) ? undefined : ipProblem(ip);
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        message: `ip ${JSON.stringify(ip)} is not an IPv4 or IPv6 address, nor one of ${IP_ENTITIES.join(', ')}: ${problem}`,
        params: { code: 'invalid-value' },
      });
    }
  });

export const cidrSchema = z
  .string()
  .min(1)
  .superRefine((cidr, ctx) => {
    const problem = cidr === '' ? undefined : cidrProblem(cidr);
    if (problem) ctx.addIssue({ code: 'custom', message: `cidr ${JSON.stringify(cidr)}: ${problem}`, params: { code: 'invalid-value' } });
  });

const bpfPortsSchema = z.array(portSchema).min(1).max(MAX_PORTS_PER_RULE);

/** Matches connect(2) to an address (ip or cidr, or any address) and ports (or any port). */
export const destinationSchema = withCheck(
  z.strictObject({
    qualifiers: bpfQualifiersSchema,
    ip: destinationIpSchema.optional(),
    cidr: cidrSchema.optional(),
    ports: bpfPortsSchema.optional(),
  }),
  (destination, report) => {
    if (destination.ip !== undefined && destination.cidr !== undefined) {
      report(['cidr'], 'constraint', 'ip and cidr are mutually exclusive; keep one of them');
    } else if (destination.ip === undefined && destination.cidr === undefined && destination.ports === undefined) {
      report([], 'required', 'a destination needs ip, cidr or ports');
    }
  },
);
export type Destination = z.infer<typeof destinationSchema>;

/** A Kubernetes Service (by name and namespace, or by selector) and its endpoints. */
export const serviceEgressSchema = withCheck(
  z.strictObject({
    qualifiers: bpfQualifiersSchema,
    namespace: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    serviceSelector: labelSelectorSchema.optional(),
  }),
  (service, report) => {
    if (service.name !== undefined && service.serviceSelector !== undefined) {
      report(['serviceSelector'], 'constraint', 'name and serviceSelector are mutually exclusive; keep one of them');
    } else if (service.name === undefined && service.serviceSelector === undefined) {
      report([], 'required', 'a service rule needs name (with namespace) or serviceSelector');
    } else if (asString(service.name) !== undefined && service.namespace === undefined) {
      report(['namespace'], 'required', `service ${JSON.stringify(service.name)} is selected by name, which needs its namespace`);
    }
  },
);
export type ServiceEgress = z.infer<typeof serviceEgressSchema>;

/** Pods matched by a selector (in one namespace, or all when namespace is absent), on some ports. */
export const podEgressSchema = z.strictObject({
  qualifiers: bpfQualifiersSchema,
  namespace: z.string().min(1).optional(),
  podSelector: labelSelectorSchema,
  ports: bpfPortsSchema.optional(),
});
export type PodEgress = z.infer<typeof podEgressSchema>;

export const networkEgressSchema = z.strictObject({
  toDestinations: z.array(destinationSchema).optional(),
  toServices: z.array(serviceEgressSchema).optional(),
  toPods: z.array(podEgressSchema).optional(),
});
export type NetworkEgress = z.infer<typeof networkEgressSchema>;

export const networkRuleSchema = z.strictObject({
  sockets: z.array(networkSocketRuleSchema).optional(),
  egress: networkEgressSchema.optional(),
});
export type NetworkRule = z.infer<typeof networkRuleSchema>;
