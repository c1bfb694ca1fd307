import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatModel, modelDocument } from '../../src/entries/model.js';
import { MODEL_YAML_OPTIONS, writeBlockYaml } from '../../src/model/block-yaml-writer.js';
import { awkwardModel, awkwardText, jsonShaped } from './awkward-model-arbitraries.js';
import { dynamicResult } from './model-arbitraries.js';

/** The library's writing, the reference. */
const library = (value: unknown): string => stringify(value, MODEL_YAML_OPTIONS);
const RUNS = { numRuns: 400 };

describe('writeBlockYaml (formatModel without building the library’s document tree)', () => {
  it('writes every recorded model itself, byte-identical to the library', () => {
    fc.assert(fc.property(dynamicResult, fc.nat(3), (result, completed) => {
      const model = modelDocument({ profileName: 'varmor-demo-web', namespace: 'demo', dynamicResult: result, completed });
      const written = writeBlockYaml(model);
      expect(written).toBeDefined();
      expect(written).toBe(library(model));
    }), RUNS);
  });

  it('writes models with awkward strings byte-identical to the library, or leaves them to it', () => {
    fc.assert(fc.property(awkwardModel, (model) => {
      const written = writeBlockYaml(model);
      expect(formatModel(model)).toBe(library(model));
      if (written !== undefined) expect(written).toBe(library(model));
    }), RUNS);
  });

  it('writes every model itself whose strings are on one line and whose label keys are plain words', () => {
    fc.assert(fc.property(awkwardModel, (model) => {
      const strings: string[] = [];
      JSON.stringify(model, (_key, value: unknown) => (typeof value === 'string' && strings.push(value), value));
      fc.pre(strings.every((text) => !text.includes('\n')));
      fc.pre(Object.keys(model.metadata.labels ?? {}).every((key) => /^[a-z][a-z0-9_./-]*$/.test(key) && key !== 'true' && key !== 'null'));
      const written = writeBlockYaml(model);
      expect(written).toBeDefined();
      expect(written).toBe(library(model));
    }), { ...RUNS, maxSkipsPerRun: 1000 });
  });

  it('writes one-line strings of any kind (quoted, escaped, unicode) as the library does', () => {
    fc.assert(fc.property(fc.array(awkwardText.filter((text) => !text.includes('\n'))), fc.dictionary(fc.constantFrom('a', 'b_c', 'd.e/f', 'g-h'), awkwardText.filter((text) => !text.includes('\n'))), (list, map) => {
      const value = { list, map, nested: { list: list.map((item) => ({ item, more: [item, 1, true] })) } };
      const written = writeBlockYaml(value);
      expect(written).toBeDefined();
      expect(written).toBe(library(value));
    }), RUNS);
  });

  it('gives the library’s bytes for any JSON-shaped value it writes', () => {
    fc.assert(fc.property(fc.dictionary(awkwardText, jsonShaped), (value) => {
      const written = writeBlockYaml(value);
      if (written !== undefined) expect(written).toBe(library(value));
    }), RUNS);
  });

  it('leaves to the library what it does not write', () => {
    for (const value of [{}, { a: undefined }, { a: null }, { a: 1.5 }, { a: -0 }, { a: 2 ** 53 }, { a: 'x\ny' }, { 'a b': 1 }, { true: 1 }, { a: [[1]] }, { a: [undefined] }, { a: new Date(0) }, [1], 'x']) {
      expect(writeBlockYaml(value)).toBeUndefined();
      expect(() => library(value)).not.toThrow();
    }
    expect(formatModel({ ...modelDocument({ profileName: 'p', dynamicResult: { appArmor: { executions: ['line\nbreak'] } } }) })).toContain('- |-\n');
  });
});
