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

  it('is deterministic', () => {
    expect(JSON.stringify(policyJsonSchema())).toBe(text);
  });
});
