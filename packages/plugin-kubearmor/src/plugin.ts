import { definePlugin, readPackageMeta } from '@armorkit/core';
import { adjustKubeArmorPlan } from './compile/adjust-plan.js';
import { withKubeArmorSemantics } from './compile/policy-ir.js';
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
  },
}));
