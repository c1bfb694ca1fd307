import { definePlugin, readPackageMeta } from '@armorkit/core';
import { matchRules } from './alerts/match-event.js';
import type { KubeArmorEventMatch } from './alerts/event-match.js';
import { adjustKubeArmorPlan } from './compile/adjust-plan.js';
import { combineKubeArmorPolicies } from './compile/combine-policies.js';
import { translationOf, withKubeArmorSemantics } from './compile/policy-ir.js';
import { parseKubeArmorDocument } from './dialect/parse-document.js';
import type { KubeArmorDialectOptions } from './dialect/policy-ir.js';
import { kubearmorErrors } from './errors.js';
import type { TranslateOptions } from './semantics/translate.js';
import type { ParsedKubeArmorPolicy } from './parse/parsed-policy.js';

declare module '@armorkit/core' {
  interface DialectPolicyMap {
    kubearmor: ParsedKubeArmorPolicy;
  }
}

declare module '@armorkit/core/audit' {
  interface DialectEventMap {
    kubearmor: KubeArmorEventMatch;
  }
}

/** Dialect options, and the semantics': the enforcers to use and the default posture (docs/kubearmor.md#semantics). */
export type KubeArmorPluginOptions = KubeArmorDialectOptions & TranslateOptions;

const meta = readPackageMeta(import.meta.url);

/** KubeArmor's API (security.kubearmor.com/v1 KubeArmorPolicy, KubeArmorClusterPolicy, KubeArmorHostPolicy) as a dialect. */
export const kubearmor = definePlugin((options: KubeArmorPluginOptions = {}) => ({
  name: 'kubearmor',
  meta,
  errors: kubearmorErrors,
  apply(engine) {
    engine.hooks.parse.tap('kubearmor', (document) => withKubeArmorSemantics(parseKubeArmorDocument(document, options), options));
    engine.hooks.resolveMode.tap('kubearmor', adjustKubeArmorPlan);
    engine.hooks.combine.tap('kubearmor', (policies, combine) => combineKubeArmorPolicies(policies, options, combine));
    engine.hooks.attribute.tap('kubearmor', (event, policy) => {
      const translation = translationOf(policy);
      const pointerOf = (pointer: string) => policy.source.member?.(pointer)?.pointer ?? pointer;
      const match = translation ? matchRules(event, { rules: translation.rules, host: translation.host, pointerOf }) : undefined;
      return match ? { ...event, dialectEvent: { ...event.dialectEvent, kubearmor: match } } : event;
    });
  },
}));
