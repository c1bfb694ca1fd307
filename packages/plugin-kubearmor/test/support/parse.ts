import { createEngine, definePlugin, type PolicyError } from '@armorkit/core';
import type { ParsedKubeArmorPolicy } from '../../src/index.js';
import { parseKubeArmorDocument } from '../../src/dialect/parse-document.js';
import { kubearmorErrors } from '../../src/errors.js';

// The parse stage alone (the CRD's verdict): the semantics, which may refuse a valid policy no enforcer can enforce
// exactly, are tested on their own.
const parseOnly = definePlugin(() => ({
  name: 'kubearmor-parse',
  meta: { name: 'kubearmor-parse', version: '0.0.0' },
  errors: kubearmorErrors,
  apply(engine) {
    engine.hooks.parse.tap('kubearmor-parse', (document) => parseKubeArmorDocument(document, {}));
  },
}));
/** An engine with only the parse stage of the dialect. */
export const parseEngine = createEngine({ plugins: [parseOnly()] });
const engine = parseEngine;

/** A YAML text through an engine with the KubeArmor dialect's parse stage: the parsed policies and every error. */
export function parse(text: string, file = 'policy.yaml'): { policies: ParsedKubeArmorPolicy[]; errors: PolicyError[]; ignored: number } {
  const outcome = engine.parse(text, file);
  return {
    policies: outcome.policies.flatMap((policy) => (policy.dialectPolicy?.kubearmor ? [policy.dialectPolicy.kubearmor] : [])),
    errors: outcome.errors,
    ignored: outcome.ignored.length,
  };
}

/** The errors as `line:column pointer code`, the form the assertions compare. */
export function where(errors: readonly PolicyError[]): string[] {
  return errors.map((error) => `${error.location?.line}:${error.location?.column} ${error.pointer} ${error.code}`);
}

/** A KubeArmorPolicy of namespace demo with `body` (YAML, indented two spaces) as its spec. */
export function ksp(body: string, kind = 'KubeArmorPolicy'): string {
  return `apiVersion: security.kubearmor.com/v1\nkind: ${kind}\nmetadata:\n  name: test\n  namespace: demo\nspec:\n${body}`;
}
