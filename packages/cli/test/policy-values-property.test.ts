import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JsonSchema, policyKindJsonSchema } from '@armorkit/core/schema';
import { parseYamlStream } from '@armorkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policyOutcome, policyText } from '../../../bench/policy-outcome.mjs';
import { loadEngine } from '../src/index.js';

// Every field of the vArmor schema gets wrong types, huge and tiny numbers and odd strings; the document runs through
// the CLI's engine (parse → resolve → compile for every enforcer) and must come back as policy errors a user can act
// on: never an exception, every error with a code, a pointer into the document and a message free of internal values.

const REPO = new URL('../../../', import.meta.url).pathname;
const { engine } = await loadEngine({ cwd: tmpdir() });

/** Every field path the schema allows (array items at index 0, map values under a key "k"). */
function fieldPaths(schema: JsonSchema, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (path.length > 16) return out;
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  for (const [key, child] of Object.entries(properties ?? {})) {
    out.push([...path, key]);
    fieldPaths(child, [...path, key], out);
  }
  if (schema.items && typeof schema.items === 'object') {
    out.push([...path, 0]);
    fieldPaths(schema.items as JsonSchema, [...path, 0], out);
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    out.push([...path, 'k']);
    fieldPaths(schema.additionalProperties as JsonSchema, [...path, 'k'], out);
  }
  for (const list of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const option of (schema[list] as JsonSchema[] | undefined) ?? []) fieldPaths(option, path, out);
  }
  return out;
}

const PATHS = [
  ...new Map(
    (['VarmorPolicy', 'VarmorClusterPolicy'] as const)
      .flatMap((kind) => fieldPaths(policyKindJsonSchema(kind)))
      .map((path) => [JSON.stringify(path), path] as const),
  ).values(),
];

/** The real policies (corpus and examples) as data: every mutation starts from one. */
const BASES = [join(REPO, '../shared/corpus/varmor'), join(REPO, 'examples/policies')].flatMap((directory) =>
  readdirSync(directory)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .flatMap((name) => parseYamlStream(readFileSync(join(directory, name), 'utf8'), name).documents.map((document) => document.data))
    .filter((data) => typeof data === 'object' && data !== null && /Varmor/.test(String((data as { kind?: unknown }).kind))),
);

const ODD_STRINGS = ['', ' ', 'NaN', 'Infinity', '-Infinity', '1e999', '-0', '0x10', '18446744073709551616', '9007199254740993', 'ten',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'undefined', 'null', '\u0000', 'a\u0000b', '\u202e', '\ud800', '𝔘𝔫𝔦', 'é', '/', '**',
  '}', '"', '\\', 'x'.repeat(300)];
const oddScalar = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -0, -1, 1.5, 2 ** 53, 2n ** 53n + 1n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 63n), 1e308, 5e-324, 4294967296),
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
);
const oddKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', ''), fc.string({ maxLength: 6 }));
const oddValue = fc.oneof(
  { weight: 4, arbitrary: oddScalar },
  { weight: 1, arbitrary: fc.array(oddScalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(oddKey, oddScalar, { maxKeys: 3 }) },
);

/** `data` with `value` at `path`, intermediate objects and lists made as needed (own members, even for `__proto__`). */
function withValueAt(data: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const root = structuredClone(data) as Record<string | number, unknown>;
  let current = root;
  path.forEach((segment, i) => {
    const last = i === path.length - 1;
    const existing = Object.hasOwn(current, segment) ? current[segment] : undefined;
    const next = last ? value : typeof existing === 'object' && existing !== null ? existing : typeof path[i + 1] === 'number' ? [] : {};
    Object.defineProperty(current, segment, { value: next, writable: true, enumerable: true, configurable: true });
    current = next as Record<string | number, unknown>;
  });
  return root;
}

function expectPolicyErrorsOnly(text: string): void {
  const outcome = policyOutcome(engine, text, 'property.yaml');
  if (outcome.exception !== undefined) throw outcome.exception;
  expect(outcome.defects, text).toEqual([]);
}

describe('every field of the vArmor schema, given any value, gives policy errors and never an exception', () => {
  it('covers the whole schema', () => {
    expect(PATHS.length).toBeGreaterThan(150);
    expect(BASES.length).toBeGreaterThan(20);
    for (const field of ['value', 'valueTwo', 'customProfile', 'appArmorRawRules', 'pattern', 'ports', 'headerMutations', 'duration']) {
      expect(PATHS.some((path) => path.at(-1) === field), field).toBe(true);
    }
  });

  it('each field in turn, with one odd value after another', () => {
    const samples = fc.sample(oddValue, { numRuns: PATHS.length, seed: 11 });
    PATHS.forEach((path, i) => expectPolicyErrorsOnly(policyText(withValueAt(BASES[i % BASES.length], path, samples[i]))));
  });

  it('random fields, values and keys, one to three at a time', () => {
    const change = fc.oneof(
      fc.record({ path: fc.constantFrom(...PATHS), value: oddValue }),
      fc.record({ path: fc.constantFrom(...PATHS).chain((path) => oddKey.map((key) => [...path.slice(0, -1), key])), value: oddValue }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...BASES), fc.array(change, { minLength: 1, maxLength: 3 }), (base, changes) => {
        const data = changes.reduce<unknown>((current, { path, value }) => withValueAt(current, path, value), base);
        expectPolicyErrorsOnly(policyText(data));
      }),
      { numRuns: 400, seed: 23 },
    );
  });
});
