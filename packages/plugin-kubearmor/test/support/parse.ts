import { createEngine, type PolicyError } from '@armorkit/core';
import kubearmor, { type ParsedKubeArmorPolicy } from '../../src/index.js';

const engine = createEngine({ plugins: [kubearmor()] });

/** A YAML text through the engine with the KubeArmor dialect: the parsed policies and every error. */
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
