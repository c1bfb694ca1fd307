import { z } from 'zod';
import { executablePathSchema } from './executable-path.js';
import { linuxSyscallSchema } from '../oci-seccomp.js';
import { appArmorRawRuleSchema } from './apparmor-raw-rule.js';
import { bpfRawRulesSchema } from './bpf-raw-rules.js';
import { networkProxyRulesSchema } from './network-proxy-egress.js';

// Rule names stay plain strings here: the rule registry checks them (with suggestions) when the plan is made.
const ruleNames = z.array(z.string());

export const attackProtectionRuleSchema = z.strictObject({
  rules: ruleNames.min(1),
  /** Executables (full paths) the rules apply to; AppArmor only. */
  targets: z.array(executablePathSchema).optional(),
});
export type AttackProtectionRule = z.infer<typeof attackProtectionRuleSchema>;

/** The EnhanceProtect mode: built-in rules and raw rules on top of RuntimeDefault (or AlwaysAllow when privileged). */
export const enhanceProtectSchema = z.strictObject({
  hardeningRules: ruleNames.optional(),
  attackProtectionRules: z.array(attackProtectionRuleSchema).optional(),
  vulMitigationRules: ruleNames.optional(),
  appArmorRawRules: z.array(appArmorRawRuleSchema).optional(),
  bpfRawRules: bpfRawRulesSchema.optional(),
  syscallRawRules: z.array(linuxSyscallSchema).optional(),
  networkProxyRawRules: networkProxyRulesSchema.optional(),
  privileged: z.boolean().optional(),
  auditViolations: z.boolean().optional(),
  allowViolations: z.boolean().optional(),
});
export type EnhanceProtect = z.infer<typeof enhanceProtectSchema>;
