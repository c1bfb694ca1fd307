import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { varmorDialect } from '../src/dialect/varmor.js';
import { createEngine } from '../src/engine/engine.js';
import { toPointer, type PolicyError } from '../src/errors.js';
import { looksLikeJson, parseJsonStream } from '../src/parse/json-stream.js';
import { parseYamlStream } from '../src/parse/yaml-stream.js';
import type { ParsedStream } from '../src/source.js';
import { testRules } from './helpers.js';

const corpus = fileURLToPath(new URL('../../../../shared/corpus/varmor/', import.meta.url));
const corpusPolicies: unknown[] = readdirSync(corpus)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .flatMap((name) => parseYamlStream(readFileSync(corpus + name, 'utf8'), name).documents.map((document) => document.data));

const engine = createEngine({ plugins: [varmorDialect()], rulePacks: [testRules] });

/** Data with bigints, -0 and own `__proto__` keys told apart (JSON.stringify alone would lose them). */
function exact(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => {
    if (typeof member === 'bigint') return { bigint: String(member) };
    if (Object.is(member, -0)) return { negativeZero: true };
    return member;
  });
}

/** What the engine makes of a stream: each document's data, and every problem of parse and resolve, located. */
function outcomeOf(stream: ParsedStream): { data: string[]; errors: PolicyError[]; warnings: PolicyError[] } {
  const parsed = engine.parseDocuments(stream);
  const errors = [...parsed.errors];
  const warnings: PolicyError[] = [];
  for (const policy of parsed.policies) {
    const { plan, errors: resolveErrors } = engine.resolve(policy);
    errors.push(...resolveErrors);
    warnings.push(...(plan?.warnings ?? []));
  }
  return { data: stream.documents.map((document) => exact(document.data)), errors, warnings };
}

/** Every pointer into a value (members and items), and one past each level (a member that is not there). */
function pointersOf(value: unknown, path: string[] = [], into: string[] = []): string[] {
  into.push(toPointer(path));
  if (typeof value === 'object' && value !== null) {
    const keys = Array.isArray(value) ? value.map((_item, index) => String(index)) : Object.keys(value);
    for (const key of keys) pointersOf((value as Record<string, unknown>)[key], [...path, key], into);
    into.push(toPointer([...path, Array.isArray(value) ? String(keys.length) : 'missing-member']));
  }
  return into;
}

/** Both readers give the same: data, located problems, and the position of every pointer. */
function expectSameAsYaml(text: string): void {
  const json = parseJsonStream(text, 'policy.json');
  const yaml = parseYamlStream(text, 'policy.json');
  expect(outcomeOf(json)).toEqual(outcomeOf(yaml));
  expect(json.documents.length).toBe(yaml.documents.length);
  json.documents.forEach((document, index) => {
    const reference = yaml.documents[index]!;
    for (const pointer of pointersOf(reference.data)) {
      expect(document.locate(pointer)).toEqual(reference.locate(pointer));
      expect(document.locateKey(pointer)).toEqual(reference.locateKey(pointer));
      expect(document.locateInText?.(pointer, { line: 1, column: 2 })).toEqual(reference.locateInText?.(pointer, { line: 1, column: 2 }));
    }
  });
}

// ---- JSON texts of policies, printed in the ways JSON is written ----

interface Style {
  /** Indentation per level; '' prints one line. */
  indent: string;
  /** Escape every non-ASCII character as \uXXXX (surrogate pairs for astral ones), as some printers do. */
  asciiOnly: boolean;
  /** A space before each colon. */
  spaceBeforeColon: boolean;
  /** Line breaks as CRLF. */
  crlf: boolean;
  /** Choices for the printer: which objects repeat a key, which numbers are written otherwise. */
  choices: number[];
}

function printString(text: string, style: Style): string {
  const plain = JSON.stringify(text);
  if (!style.asciiOnly) return plain;
  return plain.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A JSON printer with the style's choices: duplicate keys (`choice % 7 === 0`), numbers in other notations. */
function printJson(value: unknown, style: Style, depth = 0, next = { at: 0 }): string {
  const choice = (): number => style.choices[next.at++ % style.choices.length] ?? 1;
  const newline = style.indent === '' ? '' : style.crlf ? '\r\n' : '\n';
  const inner = newline + style.indent.repeat(depth + 1);
  const close = newline + style.indent.repeat(depth);
  if (typeof value === 'number') {
    const how = choice() % 5;
    // JSON.stringify prints -0 as 0; a JSON text may say -0 (the YAML reader reads it as the integer 0).
    if (Object.is(value, -0)) return how === 1 ? '-0.0' : '-0';
    if (Number.isInteger(value) && how === 1) return `${value}.0`;
    if (Number.isInteger(value) && how === 2 && value !== 0) return `${value}E0`;
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return printString(value, style);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.map((item) => inner + printJson(item, style, depth + 1, next)).join(',')}${close}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const colon = style.spaceBeforeColon ? ' : ' : style.indent === '' ? ':' : ': ';
    const members = entries.map(([key, member]) => inner + printString(key, style) + colon + printJson(member, style, depth + 1, next));
    if (choice() % 7 === 0) members.push(inner + printString(entries[0]![0], style) + colon + 'true');
    return `{${members.join(',')}${close}}`;
  }
  return JSON.stringify(value);
}

const style: fc.Arbitrary<Style> = fc.record({
  indent: fc.constantFrom('', '  ', '    ', '\t', ' '),
  asciiOnly: fc.boolean(),
  spaceBeforeColon: fc.boolean(),
  crlf: fc.boolean(),
  choices: fc.array(fc.nat(1000), { minLength: 1, maxLength: 16 }),
});

/** Values that JSON and the YAML reader may read apart: unicode, big and negative-zero numbers, odd keys. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('\u2028', '\u0085', '\ufeff', '\u00a0', '\t', '"', '\\', '/', '#', ':', '\u{1f600}', 'a', ' '), maxLength: 8 }),
  fc.constantFrom(-0, 2 ** 53, 2 ** 53 + 2, -(2 ** 60), 1e300, 0.5, 2 ** 64),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', '', 'a b', '0', '1', 'ü', 'k:v'), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** A corpus policy, as is or with an odd value put somewhere in it (most of those make it invalid). */
const policyValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(...corpusPolicies), fc.option(fc.tuple(fc.nat(), oddValue), { freq: 3 }))
  .map(([policy, change]) => {
    if (!change) return policy;
    const [where, value] = change;
    const pointers = pointersOf(policy).filter((pointer) => pointer !== '');
    const copy = structuredClone(policy);
    const segments = pointers[where % pointers.length]!.slice(1).split('/').map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
    let target = copy as Record<string, unknown>;
    for (const segment of segments.slice(0, -1)) target = target[segment] as Record<string, unknown>;
    target[segments[segments.length - 1]!] = value;
    return copy;
  });

describe('parseJsonStream: the same as parseYamlStream for JSON texts', () => {
  it('on JSON texts of corpus policies, valid and invalid, printed every way (duplicate keys, unicode escapes, CRLF)', () => {
    fc.assert(fc.property(policyValue, style, (value, how) => expectSameAsYaml(printJson(value, how))), { numRuns: 400 });
  });

  it('on arbitrary JSON values and odd ones', () => {
    fc.assert(fc.property(oddValue, style, (value, how) => expectSameAsYaml(printJson(value, how))), { numRuns: 400 });
  });

  it('on deep nesting, and past the YAML reader\'s limit of 1000 levels', () => {
    for (const depth of [1, 40, 99, 100, 101, 300, 1001, 1500]) {
      expectSameAsYaml(`${'['.repeat(depth)}1${']'.repeat(depth)}`);
      expectSameAsYaml(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
      expectSameAsYaml(`${'{"a":['.repeat(depth)}"x"${']}'.repeat(depth)}`);
    }
  });

  it('on texts that are almost JSON (cut, with a comment, a lone CR, a second document)', () => {
    const edits = fc.constantFrom(
      (text: string) => text.slice(0, Math.floor(text.length / 2)),
      (text: string) => `${text}\n# a comment`,
      (text: string) => text.replace('\n', '\r'),
      (text: string) => `${text}\n---\n${text}`,
      (text: string) => `\ufeff${text}`,
      (text: string) => ` \n ${text} \n`,
    );
    fc.assert(fc.property(policyValue, style, edits, (value, how, edit) => expectSameAsYaml(edit(printJson(value, how)))), { numRuns: 200 });
  });
});

describe('parseJsonStream', () => {
  const policy = {
    apiVersion: 'crd.varmor.org/v1beta1',
    kind: 'VarmorPolicy',
    metadata: { name: 'demo', namespace: 'demo' },
    spec: { target: { kind: 'Deployment', name: 'web' }, policy: { enforcer: 'Seccomp', mode: 'Nope' } },
  };

  it('locates a problem at its line and column in the JSON text', () => {
    const text = JSON.stringify(policy, null, 2);
    const { errors } = engine.parse(text, 'demo.json');
    const mode = errors.find((error) => error.pointer === '/spec/policy/mode');
    // "mode": "Nope" is line 15, its value at column 15.
    expect(text.split('\n')[14]).toBe('      "mode": "Nope"');
    expect(mode?.location).toEqual({ file: 'demo.json', document: 0, line: 15, column: 15 });
  });

  it('refuses a duplicate key as the YAML reader does, at the repeated key', () => {
    const text = '{\n  "apiVersion": "crd.varmor.org/v1beta1",\n  "kind": "VarmorPolicy",\n  "kind": "VarmorPolicy"\n}';
    const { errors } = engine.parse(text, 'twice.json');
    expect(errors).toEqual(parseYamlStream(text, 'twice.json').errors);
    expect(errors).toMatchObject([{ code: 'yaml-syntax', location: { line: 4, column: 3 } }]);
    expect(errors[0]!.message).toMatch(/unique/);
  });

  it('takes a value already parsed and reads the text only to locate problems', () => {
    const text = JSON.stringify(policy);
    const value = JSON.parse(text) as unknown;
    const stream = parseJsonStream(text, 'object.json', { value });
    expect(stream.documents[0]!.data).toBe(value);
    const located = engine.parseDocuments(stream).errors;
    expect(located).toEqual(engine.parse(text, 'object.json').errors);
    expect(located.find((error) => error.pointer === '/spec/policy/mode')?.location).toMatchObject({ line: 1, column: text.indexOf('"Nope"') + 1 });
  });

  it('reads a given value from the text when the YAML reader would read the text otherwise (-0, a uint64)', () => {
    // What JSON.parse gives for the text: 2^64, rounded.
    const value = { kind: 'VarmorPolicy', big: 2 ** 64, zero: -0 };
    const text = '{"kind":"VarmorPolicy","big":18446744073709551615,"zero":-0}';
    const stream = parseJsonStream(text, 'exact.json', { value });
    expect(stream.documents[0]!.data).toEqual({ kind: 'VarmorPolicy', big: 18446744073709551615n, zero: 0 });
    expect(Object.is((parseJsonStream('{"zero":-0}', 'zero.json').documents[0]!.data as { zero: number }).zero, 0)).toBe(true);
  });

  it('a JSON null is no document, as an empty YAML document is none', () => {
    expect(parseJsonStream('null', 'null.json')).toEqual({ documents: [], errors: [] });
  });

  it('looksLikeJson: a text that opens an object or array', () => {
    expect([looksLikeJson(' \n{"a": 1}'), looksLikeJson('[1]'), looksLikeJson('a: 1'), looksLikeJson('# {}\n{}'), looksLikeJson('"a"')]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
