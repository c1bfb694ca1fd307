import { definePlugin, readPackageMeta } from '@armorkit/core';
import { parseKubeArmorDocument } from './dialect/parse-document.js';
import type { KubeArmorDialectOptions } from './dialect/policy-ir.js';
import { kubearmorErrors } from './errors.js';
import type { ParsedKubeArmorPolicy } from './parse/parsed-policy.js';

declare module '@armorkit/core' {
  interface DialectPolicyMap {
    kubearmor: ParsedKubeArmorPolicy;
  }
}

export type KubeArmorPluginOptions = KubeArmorDialectOptions;

const meta = readPackageMeta(import.meta.url);

/** KubeArmor's API (security.kubearmor.com/v1 KubeArmorPolicy, KubeArmorClusterPolicy, KubeArmorHostPolicy) as a dialect. */
export const kubearmor = definePlugin((options: KubeArmorPluginOptions = {}) => ({
  name: 'kubearmor',
  meta,
  errors: kubearmorErrors,
  apply(engine) {
    engine.hooks.parse.tap('kubearmor', (document) => parseKubeArmorDocument(document, options));
  },
}));
