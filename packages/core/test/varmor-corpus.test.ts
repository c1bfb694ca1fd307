import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { load, positionOf } from './varmor-helpers.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/varmor/', import.meta.url));
const files = readdirSync(corpus).filter((name) => name.endsWith('.yaml')).sort();

/**
 * Corpus files that really break the API, with the one error each must give.
 * - ex5__vpol-enhance.yaml: its toDestinations entry has no `qualifiers`. The CRD declares qualifiers required, and
 *   vArmor turns a rule without qualifiers into mode 0, a rule that neither denies nor audits: the example's
 *   "block port 443" does nothing there. armorkit rejects it instead of silently compiling an inert rule.
 */
const rejected: Record<string, { code: string; pointer: string; at: string }> = {
  'ex5__vpol-enhance.yaml': {
    code: 'required',
    pointer: '/spec/policy/enhanceProtect/bpfRawRules/network/egress/toDestinations/0/qualifiers',
    at: '^ports:\n              - port: 443',
  },
};

describe('the vArmor corpus', () => {
  it('has the 40 policies', () => {
    expect(files).toHaveLength(40);
  });

  it.each(files.filter((name) => !(name in rejected)))('accepts %s', (name) => {
    const { policies, errors } = load(readFileSync(corpus + name, 'utf8'), name);
    expect(errors).toEqual([]);
    expect(policies).toHaveLength(1);
    expect(['VarmorPolicy', 'VarmorClusterPolicy']).toContain(policies[0]!.kind);
  });

  it.each(Object.entries(rejected))('rejects %s', (name, expected) => {
    const text = readFileSync(corpus + name, 'utf8');
    const { policies, errors } = load(text, name);
    expect(policies).toEqual([]);
    expect(errors.map(({ code, pointer }) => ({ code, pointer }))).toEqual([{ code: expected.code, pointer: expected.pointer }]);
    const { line, column } = positionOf(text, expected.at);
    expect(errors[0]!.location).toEqual({ file: name, document: 0, line, column });
  });

  it('keeps Deployments and Secrets of multi-document files out of the policies', () => {
    const name = 'ex7__mitm-dns-secret.yaml';
    const { policies } = load(readFileSync(corpus + name, 'utf8'), name);
    expect(policies.map((p) => p.metadata.name)).toEqual(['mitm-dns-secret']);
  });

  it('reads hexadecimal syscall argument values as numbers', () => {
    const text = readFileSync(corpus + 'ex5__vpol-enhance.yaml', 'utf8').replace('- ports:', '- qualifiers: [deny]\n              ports:');
    const { policies, errors } = load(text);
    expect(errors).toEqual([]);
    const args = policies[0]!.spec.policy.enhanceProtect?.syscallRawRules?.[0]?.args;
    expect(args?.map((arg) => arg.value)).toEqual([0x40, 0x8, 1]);
  });
});
