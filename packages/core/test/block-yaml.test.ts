import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatModel, modelDocument } from '../src/entries/model.js';
import { armorProfileModelSchema, parseBehaviorModels } from '../src/entries/schema.js';
import { MODEL_YAML_OPTIONS } from '../src/model/block-yaml-writer.js';
import { readBlockYaml } from '../src/parse/block-yaml.js';
import { parseYamlStream } from '../src/parse/yaml-stream.js';
import { awkwardModel, awkwardText, jsonShaped } from './model/awkward-model-arbitraries.js';
import { dynamicResult } from './model/model-arbitraries.js';

/** What the full parser gives for a one-document stream (the reference the fast reader must equal). */
function fullRead(text: string): unknown {
  const stream = parseYamlStream(text, 'model.yaml');
  expect(stream.errors).toEqual([]);
  expect(stream.documents).toHaveLength(1);
  return stream.documents[0]!.data;
}

/** Deep, strict equality (prototypes, own keys, -0); vitest's would compare a `constructor` key as the object's type. */
function expectSameValue(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toStrictEqual(expected);
}

/** What the library writes with formatModel's options, for values that are not models. */
const write = (value: unknown): string => stringify(value, MODEL_YAML_OPTIONS);

const RUNS = { numRuns: 400 };

describe('readBlockYaml (the YAML formatModel writes, without the full parser)', () => {
  it('gives the full parser’s value for every model with awkward strings, or gives up', () => {
    fc.assert(fc.property(awkwardModel, (model) => {
      const yaml = formatModel(model);
      const fast = readBlockYaml(yaml);
      if (fast !== undefined) expectSameValue(fast.value, fullRead(yaml));
    }), RUNS);
  });

  it('reads every recorded model (the recorder’s alphabet) itself, equal to the full parser', () => {
    fc.assert(fc.property(dynamicResult, fc.nat(3), (result, completed) => {
      const yaml = formatModel(modelDocument({ profileName: 'varmor-demo-web', namespace: 'demo', dynamicResult: result, completed }));
      const fast = readBlockYaml(yaml);
      expect(fast).toBeDefined();
      expect(fast!.value).toStrictEqual(fullRead(yaml));
    }), RUNS);
  });

  it('reads every model whose strings are on one line and printable itself (tabs, line breaks and controls aside)', () => {
    // eslint-disable-next-line no-control-regex
    const printable = (value: string) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/.test(value) && !/[\ud800-\udfff]/.test(value.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));
    fc.assert(fc.property(awkwardModel, (model) => {
      const yaml = formatModel(model);
      const strings: string[] = [];
      JSON.stringify(model, (_key, value: unknown) => (typeof value === 'string' && strings.push(value), value));
      fc.pre(strings.every(printable));
      // Label keys are read when they are plain words (as Kubernetes' are); others are quoted, and the full parser reads those.
      fc.pre(Object.keys(model.metadata.labels ?? {}).every((key) => /^[a-z][a-z0-9_./-]*$/.test(key) && key !== 'true' && key !== 'null'));
      const fast = readBlockYaml(yaml);
      expect(fast).toBeDefined();
      expect(fast!.value).toStrictEqual(fullRead(yaml));
    }), { ...RUNS, maxSkipsPerRun: 1000 });
    const quoted = formatModel(modelDocument({ profileName: 'p', dynamicResult: { appArmor: { executions: ['true', '123', ' lead', 'a: b', 'x #y', '', `#both ' and "`, `#say "hi"`, `#it's`, '.inf', 'é', '-x', '::1', '@x'] } } }));
    expect(quoted).toContain(`- "#both ' and \\""\n`);
    expect(quoted).toContain(`- '#say "hi"'\n`);
    expect(quoted).toContain('- ::1\n');
    expect(readBlockYaml(quoted)?.value).toStrictEqual(fullRead(quoted));
  });

  it('gives the full parser’s value for any JSON-shaped value it recognises', () => {
    fc.assert(fc.property(fc.oneof(fc.array(jsonShaped), fc.dictionary(awkwardText, jsonShaped)), (value) => {
      const yaml = write(value);
      const fast = readBlockYaml(yaml);
      if (fast !== undefined) expectSameValue(fast.value, fullRead(yaml));
    }), RUNS);
  });

  // Each is valid YAML that the full parser reads, in a layout or with a feature formatModel never writes.
  const notWritten: [string, string][] = [
    ['a comment', 'a: 1 # one\n'],
    ['a comment line', '# model\na: 1\n'],
    ['a document marker', '---\na: 1\n'],
    ['a document end', 'a: 1\n...\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a flow sequence', 'a: [1, 2]\n'],
    ['a flow mapping', 'a: {b: 1}\n'],
    ['an anchor and alias', 'a: &x b\nc: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a literal block', 'a: |\n  x\n  y\n'],
    ['a folded block', 'a: >-\n  x\n  y\n'],
    ['a multi-line plain scalar', 'a: x\n  y\n'],
    ['a multi-line quoted scalar', 'a: "x\n  y"\n'],
    ['an escaped surrogate', 'a: "x\\ud800y"\n'],
    ['an escaped line break (folding)', 'a: "x\\\n  y"\n'],
    ['a tab', 'a:\tb\n'],
    ['CRLF line ends', 'a: 1\r\nb: 2\r\n'],
    ['a blank line', 'a: 1\n\nb: 2\n'],
    ['a null value', 'a:\nb: 2\n'],
    ['a null word', 'a: null\n'],
    ['a float', 'a: 1.5\n'],
    ['an octal', 'a: 0o17\n'],
    ['a big integer', 'a: 9007199254740993\n'],
    ['a signed integer', 'a: +1\n'],
    ['a quoted key', '"a": 1\n'],
    ['a key the schema resolves', 'TRUE: 1\n'],
    ['a merge key', 'b: 1\n<<: {c: 1}\n'],
    ['a sequence at the key’s indentation', 'a:\n- 1\n- 2\n'],
    ['a compact nested sequence', 'a:\n  - - 1\n'],
    ['a complex key', '? a\n: 1\n'],
    ['a byte order mark', '\ufeffa: 1\n'],
    ['trailing spaces', 'a: b \n'],
    ['uneven indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a top-level scalar', 'hello\n'],
  ];

  it.each(notWritten)('gives up on %s', (_name, yaml) => {
    expect(readBlockYaml(yaml)).toBeUndefined();
  });

  it('refuses what the full parser refuses: duplicate keys', () => {
    expect(readBlockYaml('a: 1\na: 2\n')).toBeUndefined();
    expect(parseYamlStream('a: 1\na: 2\n', 'f.yaml').errors[0]?.code).toBe('yaml-syntax');
  });
});

describe('parseBehaviorModels reads hand-written models as the full parser does', () => {
  const written = formatModel(modelDocument({
    profileName: 'varmor-demo-web',
    namespace: 'demo',
    dynamicResult: { appArmor: { executions: ['/bin/sh'], networks: { egresses: [{ ip: '10.0.0.1', ports: [53, 443] }] } }, seccomp: { syscalls: ['read'] } },
  }));
  const expected = armorProfileModelSchema.parse(fullRead(written));

  it('reads the model formatModel wrote', () => {
    expect(readBlockYaml(written)).toBeDefined();
    const { models, errors } = parseBehaviorModels(written, 'model.yaml');
    expect(errors).toEqual([]);
    expect(models.get('varmor-demo-web')).toStrictEqual(expected);
  });

  it('reads the same model edited by hand (comments, flow lists, anchors, a document marker) through the full parser', () => {
    const edited = `# recorded on node-a\n---\n${written
      .replace('        - /bin/sh\n', '        - &shell /bin/sh   # the entry point\n        - *shell\n')
      .replace('          - ip: 10.0.0.1\n            ports:\n              - 53\n              - 443\n', '          - {ip: 10.0.0.1, ports: [53, 443]}\n')}`;
    expect(readBlockYaml(edited)).toBeUndefined();
    const { models, errors } = parseBehaviorModels(edited, 'model.yaml');
    expect(errors).toEqual([]);
    const model = models.get('varmor-demo-web');
    expect(model?.data?.dynamicResult?.appArmor?.executions).toEqual(['/bin/sh', '/bin/sh']);
    expect(model?.data?.dynamicResult?.appArmor?.networks).toStrictEqual(expected.data?.dynamicResult?.appArmor?.networks);
  });

  it('names the field with pointer and line:column when a model in the written layout is wrong', () => {
    const wrong = written.replace('              - 443\n', '              - https\n');
    expect(readBlockYaml(wrong)).toBeDefined();
    const { models, errors } = parseBehaviorModels(wrong, 'model.yaml');
    expect(models.size).toBe(0);
    expect(errors).toHaveLength(1);
    const line = wrong.split('\n').indexOf('              - https') + 1;
    expect(errors[0]).toMatchObject({
      pointer: '/data/dynamicResult/appArmor/networks/egresses/0/ports/1',
      location: { file: 'model.yaml', document: 0, line, column: 17 },
    });
  });

  it('still says which document is not a model', () => {
    const policy = written.replace('kind: ArmorProfileModel', 'kind: ArmorProfile');
    const { errors } = parseBehaviorModels(policy, 'model.yaml');
    expect(errors).toMatchObject([{ code: 'not-a-model', pointer: '/kind', location: { line: 2, column: 7 } }]);
  });
});
