import { z } from 'zod';
import { ENFORCERS, splitEnforcerString } from '../../enforcer.js';
import { asString, isRecord, withCheck } from './check.js';
import { defenseInDepthSchema } from './defense-in-depth.js';
import { enhanceProtectSchema } from './enhance-protect.js';
import { modelingOptionsSchema } from './modeling-options.js';
import { networkProxyConfigSchema } from './network-proxy-config.js';

export const POLICY_MODES = ['AlwaysAllow', 'RuntimeDefault', 'EnhanceProtect', 'BehaviorModeling', 'DefenseInDepth'] as const;
export const policyModeSchema = z.enum(POLICY_MODES);
export type PolicyMode = z.infer<typeof policyModeSchema>;

const ENFORCER_NAMES = ENFORCERS.join(', ');

/** vArmor's enforcer string (`AppArmorBPFSeccomp`): only enforcer names, each once, in any case and order. */
export const enforcerStringSchema = z.string().superRefine((value, ctx) => {
  const names = ENFORCER_NAMES;
  const { enforcers, rest, duplicates } = splitEnforcerString(value);
  if (value.length === 0) {
    ctx.addIssue({ code: 'custom', message: `enforcer is empty; name one or more of ${names}`, params: { code: 'required' } });
    return;
  }
  if (rest.length > 0) {
    const bad = value.slice(value.length - rest.length);
    const after = enforcers.length > 0 ? ` after ${enforcers.join('+')}` : '';
    ctx.addIssue({
      code: 'custom',
      message: `enforcer ${JSON.stringify(value)}: ${JSON.stringify(bad)}${after} is not an enforcer name; combine ${names}`,
      params: { code: 'invalid-value' },
    });
  }
  for (const duplicate of duplicates) {
    ctx.addIssue({
      code: 'custom',
      message: `enforcer ${JSON.stringify(value)} names ${duplicate} more than once`,
      params: { code: 'invalid-value' },
    });
  }
});

/** `spec.policy`: which enforcers, which mode, and the mode's settings. */
export const policySchema = withCheck(
  z.strictObject({
    enforcer: enforcerStringSchema,
    mode: policyModeSchema,
    enhanceProtect: enhanceProtectSchema.optional(),
    modelingOptions: modelingOptionsSchema.optional(),
    defenseInDepth: defenseInDepthSchema.optional(),
    networkProxyConfig: networkProxyConfigSchema.optional(),
  }),
  (policy, report) => {
    const enforcerText = asString(policy.enforcer);
    const enforcers = enforcerText === undefined ? [] : splitEnforcerString(enforcerText).enforcers;
    switch (policy.mode) {
      case 'EnhanceProtect':
        if (policy.enhanceProtect === undefined) {
          report(['enhanceProtect'], 'required', 'mode EnhanceProtect needs an enhanceProtect section');
        }
        break;
      case 'BehaviorModeling':
        if (policy.modelingOptions === undefined) {
          report(['modelingOptions'], 'required', 'mode BehaviorModeling needs modelingOptions.duration (minutes)');
        }
        if (enforcers.includes('NetworkProxy')) {
          report(['enforcer'], 'constraint', 'mode BehaviorModeling does not support the NetworkProxy enforcer; remove NetworkProxy');
        }
        break;
      case 'DefenseInDepth': {
        // vArmor refuses BPF here; armorkit's BPF enforces the parts of the behaviour model it can express (docs/modeling.md).
        const defense = policy.defenseInDepth;
        if (defense === undefined) {
          report(['defenseInDepth'], 'required', 'mode DefenseInDepth needs a defenseInDepth section');
          break;
        }
        if (!isRecord(defense)) break;
        if (enforcers.includes('AppArmor') && defense.appArmor === undefined) {
          report(['defenseInDepth', 'appArmor'], 'required', 'mode DefenseInDepth with the AppArmor enforcer needs defenseInDepth.appArmor');
        }
        if (enforcers.includes('Seccomp') && defense.seccomp === undefined) {
          report(['defenseInDepth', 'seccomp'], 'required', 'mode DefenseInDepth with the Seccomp enforcer needs defenseInDepth.seccomp');
        }
        break;
      }
    }
  },
);
export type Policy = z.infer<typeof policySchema>;
