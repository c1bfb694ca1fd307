import { describe, expect, it } from 'vitest';
import { policyJsonSchema, policyKindJsonSchema } from '../src/schema/json-schema.js';

describe('policyJsonSchema', () => {
  const schema = policyJsonSchema();
  const text = JSON.stringify(schema);

  it('is draft 2020-12 with one branch per kind', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect((schema.oneOf as unknown[]).length).toBe(2);
  });

  it('describes the main fields', () => {
    for (const field of ['target', 'enforcer', 'enhanceProtect', 'bpfRawRules', 'toDestinations', 'syscallRawRules', 'defenseInDepth', 'networkProxyConfig', 'httpRules', 'headerMutations', 'modelingOptions']) {
      expect(text).toContain(`"${field}"`);
    }
    for (const mode of ['AlwaysAllow', 'RuntimeDefault', 'EnhanceProtect', 'BehaviorModeling', 'DefenseInDepth']) {
      expect(text).toContain(`"${mode}"`);
    }
  });

  it('closes objects so editors flag typos, but leaves metadata open', () => {
    const policy = policyKindJsonSchema('VarmorPolicy') as {
      additionalProperties: unknown;
      required: string[];
      properties: Record<string, { additionalProperties?: unknown; properties?: Record<string, unknown> }>;
    };
    expect(policy.additionalProperties).toBe(false);
    expect(policy.required).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'spec']));
    expect(policy.properties.spec!.additionalProperties).toBe(false);
    expect(policy.properties.metadata!.additionalProperties).not.toBe(false);
    expect(policy.properties.kind).toEqual({ type: 'string', const: 'VarmorPolicy' });
  });

  it('gives seccomp argument values their uint64 form (a non-negative integer or its decimal text), not "anything"', () => {
    const policy = policyKindJsonSchema('VarmorPolicy') as Record<string, unknown>;
    const at = (path: string[]) => path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], policy);
    const args = at(['properties', 'spec', 'properties', 'policy', 'properties', 'enhanceProtect', 'properties', 'syscallRawRules', 'items', 'properties', 'args', 'items', 'properties']) as Record<string, unknown>;
    const uint64 = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' }] };
    expect(args.value).toEqual(uint64);
    expect(args.valueTwo).toEqual(uint64);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(policyJsonSchema())).toBe(text);
  });
});
