import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/engine.js';
import { varmorDialect } from '../src/dialect/varmor.js';
import { policyDocument, positionOf } from './varmor-helpers.js';

describe("the engine's own compile errors carry the document and line of the policy", () => {
  it('enforcer-not-installed in the second document of a stream points at its enforcer line', () => {
    const engine = createEngine({ plugins: [varmorDialect()] });
    const policy = policyDocument('enforcer: NetworkProxy\nmode: AlwaysAllow');
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n---\n${policy}`;
    const parsed = engine.parse(text, 'two.yaml');
    expect(parsed.errors).toEqual([]);
    const { plan } = engine.resolve(parsed.policies[0]!);
    const { errors } = engine.compile(plan!);
    expect(errors.map((e) => [e.code, e.pointer])).toEqual([['enforcer-not-installed', '/spec/policy/enforcer']]);
    expect(errors[0]!.location).toEqual({ file: 'two.yaml', document: 1, ...positionOf(text, 'enforcer: ^NetworkProxy') });
    const other = engine.compile(plan!, ['Seccomp']).errors;
    expect(other.map((e) => [e.code, e.location?.document, e.location?.line])).toEqual([['enforcer-not-in-policy', 1, positionOf(text, 'enforcer: ^').line]]);
  });
});
