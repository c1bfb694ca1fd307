import { z } from 'zod';
import { withCheck } from './check.js';
import { cidrProblem, ipProblem } from './ip.js';
import { portSchema } from './port.js';
import { yamlSafeString } from './yaml-safe.js';

export const PROXY_QUALIFIERS = ['allow', 'deny', 'audit'] as const;
export const PROXY_DEFAULT_ACTIONS = ['deny', 'allow'] as const;

/** Without allow or deny a rule follows defaultAction. */
const proxyQualifiersSchema = z.array(z.enum(PROXY_QUALIFIERS)).superRefine((qualifiers, ctx) => {
  if (qualifiers.includes('allow') && qualifiers.includes('deny')) {
    ctx.addIssue({ code: 'custom', message: 'qualifiers allow and deny are mutually exclusive', params: { code: 'constraint' } });
  }
});

const proxyIpSchema = yamlSafeString('ip').superRefine((ip, ctx) => {
  const problem = ip === '' ? undefined : ipProblem(ip);
  if (problem) ctx.addIssue({ code: 'custom', message: `ip ${JSON.stringify(ip)} is not an IPv4 or IPv6 address: ${problem}`, params: { code: 'invalid-value' } });
});

const proxyCidrSchema = yamlSafeString('cidr').superRefine((cidr, ctx) => {
  const problem = cidr === '' ? undefined : cidrProblem(cidr);
  if (problem) ctx.addIssue({ code: 'custom', message: `cidr ${JSON.stringify(cidr)}: ${problem}`, params: { code: 'invalid-value' } });
});

/** An L4 rule: destination ip or cidr (or any) and ports (or any). */
export const networkProxyEgressRuleSchema = withCheck(
  z.strictObject({
    qualifiers: proxyQualifiersSchema,
    description: z.string().optional(),
    ip: proxyIpSchema.optional(),
    cidr: proxyCidrSchema.optional(),
    ports: z.array(portSchema).optional(),
  }),
  (rule, report) => {
    if (rule.ip !== undefined && rule.cidr !== undefined) {
      report(['cidr'], 'constraint', 'ip and cidr are mutually exclusive; keep one of them');
    }
  },
);
export type NetworkProxyEgressRule = z.infer<typeof networkProxyEgressRuleSchema>;

export const httpPathMatchSchema = withCheck(
  z.strictObject({
    exact: yamlSafeString('path').optional(),
    prefix: yamlSafeString('path prefix').optional(),
  }),
  (path, report) => {
    if (path.exact !== undefined && path.prefix !== undefined) {
      report(['prefix'], 'constraint', 'exact and prefix are mutually exclusive; keep one of them');
    } else if (path.exact === undefined && path.prefix === undefined) {
      report([], 'required', 'a path match needs exact or prefix');
    }
  },
);

export const httpMatchSchema = z.strictObject({
  /** Exact hosts or `*.suffix` wildcards; `*` is any host. */
  hosts: z.array(yamlSafeString('host')).optional(),
  ports: z.array(portSchema).optional(),
  paths: z.array(httpPathMatchSchema).optional(),
  methods: z.array(yamlSafeString('method')).optional(),
});

/** An L7 rule (HTTP requests; HTTPS by SNI, or by request with MITM). */
export const networkProxyHttpRuleSchema = z.strictObject({
  qualifiers: proxyQualifiersSchema,
  description: z.string().optional(),
  match: httpMatchSchema,
});
export type NetworkProxyHttpRule = z.infer<typeof networkProxyHttpRuleSchema>;

export const networkProxyEgressSchema = z.strictObject({
  /** `deny` (allow list) or `allow` (deny list); vArmor compares it case-insensitively. */
  defaultAction: z
    .string()
    .superRefine((action, ctx) => {
      if (!(PROXY_DEFAULT_ACTIONS as readonly string[]).includes(action.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          message: `defaultAction ${JSON.stringify(action)} is not one of deny, allow`,
          params: { code: 'invalid-value' },
        });
      }
    }),
  rules: z.array(networkProxyEgressRuleSchema).optional(),
  httpRules: z.array(networkProxyHttpRuleSchema).optional(),
});
export type NetworkProxyEgress = z.infer<typeof networkProxyEgressSchema>;

/** `networkProxyRawRules` (EnhanceProtect) and `defenseInDepth.networkProxy`. */
export const networkProxyRulesSchema = z.strictObject({
  egress: networkProxyEgressSchema.optional(),
});
export type NetworkProxyRules = z.infer<typeof networkProxyRulesSchema>;
