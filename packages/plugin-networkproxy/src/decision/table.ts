import { parseCidr } from '@armorkit/core/address';
import { z } from 'zod';
import { hostProblem, methodProblem, normalizeHostPattern, pathProblem } from '../config/values.js';

// The decision table: a policy's egress rules after classification (vArmor's classifyRule), in the form the proxy
// reads from its configuration file. Strings are checked here as well as at compile: the file can be edited by hand.

const refine = (problem: (value: string) => string | undefined) => (value: string, ctx: z.RefinementCtx) => {
  const message = problem(value);
  if (message !== undefined) ctx.addIssue({ code: 'custom', message, params: { code: 'invalid-value' } });
};

const portNumber = z.number().int().min(1).max(65535);

/** An inclusive port interval [from, to]. */
export const portIntervalSchema = z.tuple([portNumber, portNumber]).superRefine(([from, to], ctx) => {
  if (to < from) ctx.addIssue({ code: 'custom', message: `port interval [${from}, ${to}] ends before it starts`, params: { code: 'constraint' } });
});
export type PortInterval = z.infer<typeof portIntervalSchema>;

/** A network as `address/length`, IPv4 dotted or IPv6, host bits cleared (compile writes them so). */
export const networkSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseCidr(text);
  if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: `network ${JSON.stringify(text)}: ${parsed.problem}`, params: { code: 'invalid-value' } });
});

/** A host: lower case `name`, `*.suffix` or `*`, as normalizeHostPattern writes it. */
export const hostPatternSchema = z.string().superRefine((text, ctx) => {
  const problem = hostProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, params: { code: 'invalid-value' } });
  else if (normalizeHostPattern(text) !== text) {
    ctx.addIssue({ code: 'custom', message: `host ${JSON.stringify(text)} is not normalized (write ${JSON.stringify(normalizeHostPattern(text))})`, params: { code: 'invalid-value' } });
  }
});

export const pathMatchSchema = z.union([
  z.strictObject({ exact: z.string().superRefine(refine(pathProblem)) }),
  z.strictObject({ prefix: z.string().superRefine(refine(pathProblem)) }),
]);
export type PathMatch = z.infer<typeof pathMatchSchema>;

export const methodSchema = z.string().superRefine(refine(methodProblem));

const ruleBase = {
  /** Index in the policy's `rules` / `httpRules`. */
  index: z.number().int().min(0),
  /** JSON pointer of the rule in the policy document. */
  pointer: z.string(),
  description: z.string().optional(),
  /** What the rule does when it matches (vArmor's classifyRule). */
  action: z.enum(['allow', 'deny']),
  /** The rule has the `audit` qualifier. */
  audit: z.boolean(),
};

/** An L4 rule: the destination is in one of `networks` (absent: any address) and on one of `ports` (absent: any). */
export const l4RuleSchema = z.strictObject({
  ...ruleBase,
  networks: z.array(networkSchema).min(1).optional(),
  ports: z.array(portIntervalSchema).min(1).optional(),
});
export type L4Rule = z.infer<typeof l4RuleSchema>;

/** An HTTP rule; every field present must match, an absent field matches anything. */
export const httpRuleSchema = z.strictObject({
  ...ruleBase,
  hosts: z.array(hostPatternSchema).min(1).optional(),
  ports: z.array(portIntervalSchema).min(1).optional(),
  paths: z.array(pathMatchSchema).min(1).optional(),
  methods: z.array(methodSchema).min(1).optional(),
});
export type HttpRule = z.infer<typeof httpRuleSchema>;

export const decisionTableSchema = z.strictObject({
  /** What happens when no rule decides; with `deny` every denial is audited. */
  defaultAction: z.enum(['allow', 'deny']),
  l4Rules: z.array(l4RuleSchema),
  httpRules: z.array(httpRuleSchema),
});
export type DecisionTable = z.infer<typeof decisionTableSchema>;
