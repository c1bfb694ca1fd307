import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyError } from '../src/errors.js';
import { validateVarmorDocument } from '../src/parse/validate-document.js';
import { parseYamlStream } from '../src/parse/yaml-stream.js';
import type { SourceDocument } from '../src/source.js';
import { load, policyDocument } from './varmor-helpers.js';

function isPolicyError(error: PolicyError): boolean {
  return typeof error.code === 'string' && typeof error.pointer === 'string' && typeof error.message === 'string' && error.message.length > 0;
}

const yamlToken = fc.constantFrom(
  'apiVersion: crd.varmor.org/v1beta1\n', 'kind: VarmorPolicy\n', 'kind: VarmorClusterPolicy\n', 'metadata:\n', '  name: x\n', 'spec:\n',
  '  target:\n', '    kind: Pod\n', '  policy:\n', '    enforcer: BPF\n', '    mode: EnhanceProtect\n', '    enhanceProtect:\n',
  '      bpfRawRules:\n', '        files:\n', '        - qualifiers: [deny]\n', '          pattern: "**"\n', '---\n', '- ', '  ', '\t',
  ': ', '{', '}', '[', ']', ',', '"', "'", '&a ', '*a ', '!!str ', '|\n', '>\n', '#', '\n', '? ', 'null', '~', '0x40', '1e999', '-1',
);
const yamlIsh = fc.array(fc.oneof(yamlToken, fc.string({ maxLength: 8 })), { maxLength: 60 }).map((parts) => parts.join(''));

function parseAndValidate(text: string): PolicyError[] {
  const stream = parseYamlStream(text, 'fuzz.yaml');
  const errors = [...stream.errors];
  for (const document of stream.documents) errors.push(...validateVarmorDocument(document).errors);
  return errors;
}

function documentOf(data: unknown): SourceDocument {
  return { file: 'value.json', index: 0, data, locate: () => undefined, locateKey: () => undefined };
}

describe('parse and validate never throw', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => parseAndValidate(text).every(isPolicyError)), { numRuns: 400 });
  });

  it('on YAML-ish text', () => {
    fc.assert(fc.property(yamlIsh, (text) => parseAndValidate(text).every(isPolicyError)), { numRuns: 600 });
  });

  it('on arbitrary JSON values, as text and as data', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const asText = parseAndValidate(JSON.stringify(value) ?? 'null').every(isPolicyError);
        const asData = validateVarmorDocument(documentOf(value)).errors.every(isPolicyError);
        return asText && asData;
      }),
      { numRuns: 400 },
    );
  });

  it('on arbitrary values in every place of a real policy', () => {
    const base = load(policyDocument('enforcer: BPF\nmode: EnhanceProtect\nenhanceProtect:\n  bpfRawRules:\n    files:\n    - {qualifiers: [deny], pattern: /etc/shadow, permissions: [read]}'));
    expect(base.errors).toEqual([]);
    const policy = base.policies[0]!;
    const paths = [
      ['spec'], ['spec', 'target'], ['spec', 'policy'], ['spec', 'policy', 'enforcer'], ['spec', 'policy', 'enhanceProtect'],
      ['spec', 'policy', 'enhanceProtect', 'bpfRawRules'], ['spec', 'policy', 'defenseInDepth'], ['spec', 'policy', 'networkProxyConfig'],
      ['metadata'], ['metadata', 'name'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 4 }), (path, value) => {
        const copy = structuredClone(policy) as Record<string, unknown>;
        let target = copy;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[path[path.length - 1]!] = value;
        return validateVarmorDocument(documentOf(copy)).errors.every(isPolicyError);
      }),
      { numRuns: 500 },
    );
  });
});
