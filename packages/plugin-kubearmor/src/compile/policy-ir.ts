import type { DialectResult, PolicyIR } from '@armorkit/core';
import { type TranslateOptions, type Translation, translateKubeArmor } from '../semantics/translate.js';

// The translation each IR was made with, for the resolveMode step (which swaps in KubeArmor's AppArmor profile and
// adds the semantics' warnings) and for alerts. Keyed by the IR object, so it lives exactly as long as the IR.
const translations = new WeakMap<PolicyIR, Translation>();

/** The semantics' translation of a KubeArmor policy's IR, when the dialect made it. */
export function translationOf(policy: PolicyIR): Translation | undefined {
  return translations.get(policy);
}

/** Keeps the translation a policy's IR was made with (by the parse step, or by combining policies). */
export function rememberTranslation(policy: PolicyIR, translation: Translation): void {
  translations.set(policy, translation);
}

/**
 * The parse step's answer with the semantics applied: the IR gets the enforcers that take the policy and the vArmor
 * EnhanceProtect spec their compilers consume; a policy the semantics refuse becomes its errors (none is half-made).
 */
export function withKubeArmorSemantics(result: DialectResult | undefined, options: TranslateOptions = {}): DialectResult | undefined {
  const parsed = result?.policy?.dialectPolicy?.kubearmor;
  if (!result?.policy || !parsed) return result;
  const translation = translateKubeArmor(parsed, options);
  if (translation.errors.length > 0) return { errors: [...result.errors, ...translation.errors] };
  const policy: PolicyIR = { ...result.policy, enforcers: translation.enforcers, spec: translation.spec };
  rememberTranslation(policy, translation);
  return { policy, errors: result.errors };
}
