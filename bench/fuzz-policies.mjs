// Policy fuzzer: mutates the real policies (shared/corpus/varmor/*.yaml, examples/policies/*.yaml) at the YAML text
// level (lines deleted, duplicated, re-indented, values swapped between fields, odd scalars) and at the object level
// (values replaced by wrong types, huge and tiny numbers, odd strings; keys added, dropped, renamed), and runs each
// document through the CLI's engine in-process: parse → resolve → compile for every enforcer (no apparmor_parser).
// Every problem must come back as a policy error with a code, a pointer into the document and a clean message; an
// exception or a malformed error is written to a reproducer file. The same --seed gives the same documents.
// Needs `pnpm run build-all`. node bench/fuzz-policies.mjs [--count N] [--seed S] [--corpus DIR] [--out DIR] [--only I]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseYamlStream } from '@armorkit/core';
import { loadEngine } from '../packages/cli/dist/index.js';
import { random } from './audit-log.mjs';
import { policyOutcome, policyText } from './policy-outcome.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values: options } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    corpus: { type: 'string', default: join(here, '../../shared/corpus/varmor') },
    out: { type: 'string', default: join(tmpdir(), 'armorkit-fuzz-policies') },
    only: { type: 'string' },
  },
});
const COUNT = Number(options.count);
const SEED = Number(options.seed) >>> 0;
/** Reproducers written at most per kind of failure; the counts go on. */
const MAX_REPRODUCERS = 20;

const DOUBLE_2_53 = 2 ** 53;
/** Values that break naive code: wrong types, bounds, strings that look like numbers or like Object.prototype. */
const ODD_VALUES = [
  null, true, false, 0, -0, -1, 1.5, 65536, 4294967296, DOUBLE_2_53 + 2, 2n ** 53n + 1n, 2n ** 64n - 1n, 2n ** 64n, -(2n ** 63n),
  1e308, -1e308, 5e-324, '', ' ', 'NaN', 'Infinity', '-Infinity', '1e999', '0x10', '-0', '18446744073709551616', 'ten',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'undefined', 'null', 'true', '\u0000', 'a\u0000b', '\t', '\r\n',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'é', '\u202e', '\uffff', '\ud800', '/', '**', '*', '/etc/../x', '::ffff:1.2.3.4', '10.0.0.0/33', '}', '"', '\\',
  'x'.repeat(300), [], {}, [null], ['__proto__'], { constructor: 1 }, { toString: 'x' }, [[[]]], [1, 'a', {}],
];
/** The same as YAML text for line-level mutations (including forms the object level cannot write: .nan, ~, !!binary). */
const ODD_SCALARS = [
  '~', 'null', '.nan', '.inf', '-.inf', '0x7fffffffffffffff', '0o777', '-0', '9007199254740993', '18446744073709551615',
  '18446744073709551616', '1e999', '-1', '"ten"', '"\\0"', '"\\u2028"', '__proto__', 'constructor', "''", '""', '[]', '{}',
  '[constructor]', '{__proto__: 1}', '!!binary aGk=', '!!str 1', '&a x', '*a', '|', '>-', 'yes', 'no', '"\\ud800"', '🙂', '?', '- x',
];
const ODD_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'egresses', '', '0', 'spec', 'kind'];

function corpusTexts() {
  const directories = [options.corpus, join(here, '../examples/policies')];
  const texts = [];
  for (const directory of directories) {
    for (const name of readdirSync(directory).filter((file) => file.endsWith('.yaml')).sort()) {
      texts.push({ name, text: readFileSync(join(directory, name), 'utf8') });
    }
  }
  return texts;
}

const pick = (next, list) => list[Math.floor(next() * list.length)];

// ---- text-level mutations ----

const KEY_VALUE = /^(\s*(?:- )?[^\s:#][^:#]*:)(\s+)(.+)$/;

function mutateLines(text, next) {
  const lines = text.split('\n');
  const at = Math.floor(next() * lines.length);
  const line = lines[at] ?? '';
  switch (Math.floor(next() * 6)) {
    case 0:
      lines.splice(at, 1);
      break;
    case 1:
      lines.splice(at, 0, line);
      break;
    case 2: {
      const pairs = lines.map((candidate, index) => [index, KEY_VALUE.exec(candidate)]).filter(([, match]) => match);
      if (pairs.length >= 2) {
        const [a, matchA] = pick(next, pairs);
        const [b, matchB] = pick(next, pairs);
        lines[a] = matchA[1] + matchA[2] + matchB[3];
        lines[b] = matchB[1] + matchB[2] + matchA[3];
      }
      break;
    }
    case 3: {
      const shift = Math.floor(next() * 9) - 4;
      const indent = line.length - line.trimStart().length;
      lines[at] = ' '.repeat(Math.max(0, indent + shift)) + line.trimStart();
      break;
    }
    case 4: {
      const match = KEY_VALUE.exec(line);
      lines[at] = match ? `${match[1]} ${pick(next, ODD_SCALARS)}` : `${line.replace(/\S.*$/, '')}- ${pick(next, ODD_SCALARS)}`;
      break;
    }
    default: {
      const indent = line.length - line.trimStart().length;
      const key = next() < 0.5 ? pick(next, ODD_KEYS) : (KEY_VALUE.exec(pick(next, lines))?.[1].trim().replace(/^- /, '').slice(0, -1) ?? 'x');
      lines.splice(at, 0, `${' '.repeat(indent)}${key || "''"}: ${pick(next, ODD_SCALARS)}`);
    }
  }
  return lines.join('\n');
}

// ---- object-level mutations ----

/** Every [parent, key] pair of the value, depth first. */
function members(value, out = []) {
  if (typeof value !== 'object' || value === null || (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype)) return out;
  for (const key of Object.keys(value)) {
    out.push([value, Array.isArray(value) ? Number(key) : key]);
    members(value[key], out);
  }
  return out;
}

function setMember(parent, key, value) {
  // defineProperty, so that a key named __proto__ becomes a member instead of changing the prototype.
  Object.defineProperty(parent, key, { value, writable: true, enumerable: true, configurable: true });
}

function mutateObject(data, next) {
  const all = members(data);
  if (all.length === 0) return ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
  const [parent, key] = pick(next, all);
  switch (Math.floor(next() * 6)) {
    case 0:
      setMember(parent, key, structuredClone(pick(next, ODD_VALUES)));
      break;
    case 1:
      if (Array.isArray(parent)) parent.splice(key, 1);
      else delete parent[key];
      break;
    case 2: {
      // A value from elsewhere in the document: the right shape in the wrong place.
      const [otherParent, otherKey] = pick(next, all);
      setMember(parent, key, structuredClone(otherParent[otherKey]));
      break;
    }
    case 3:
      setMember(parent, key, Array.isArray(parent[key]) ? parent[key][0] : [parent[key]]);
      break;
    case 4:
      if (!Array.isArray(parent)) setMember(parent, pick(next, ODD_KEYS), structuredClone(pick(next, ODD_VALUES)));
      break;
    default: {
      if (Array.isArray(parent)) break;
      const [, otherKey] = pick(next, all);
      if (typeof otherKey !== 'string' || otherKey === key) break;
      setMember(parent, otherKey, parent[key]);
      delete parent[key];
    }
  }
  return data;
}

/** `message shows [native code] (apparmor-custom-profile)` from `message shows [native code]: /pointer (code): text`. */
function defectKind(defect) {
  const match = /^(.*?): .*? \(([^()]+)\): /.exec(defect);
  return match ? `${match[1]} (${match[2]})` : defect;
}

/** Document `index` of the run: the same for the same seed, whatever ran before it. */
export function fuzzedDocument(corpus, seed, index) {
  const next = random((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const source = pick(next, corpus);
  let text = source.text;
  const steps = 1 + Math.floor(next() * 3);
  for (let step = 0; step < steps; step++) {
    if (next() < 0.5) {
      text = mutateLines(text, next);
    } else {
      const parsed = parseYamlStream(text, source.name);
      const documents = parsed.documents.map((document) => document.data);
      if (documents.length === 0) {
        text = mutateLines(text, next);
        continue;
      }
      const at = Math.floor(next() * documents.length);
      documents[at] = mutateObject(documents[at], next);
      text = documents.map(policyText).join('\n---\n');
    }
  }
  return { name: source.name, text };
}

async function main() {
  const corpus = corpusTexts();
  const { engine } = await loadEngine({ cwd: tmpdir() });
  const counts = { documents: 0, valid: 0, invalid: 0, ignored: 0, exceptions: 0, defects: 0 };
  const written = { exceptions: 0, defects: 0 };
  /** Documents per kind of malformed error (what is wrong, and the error's code). */
  const defectKinds = new Map();
  mkdirSync(options.out, { recursive: true });
  const report = (kind, index, document, detail) => {
    counts[kind] += 1;
    if (written[kind] >= MAX_REPRODUCERS) return;
    written[kind] += 1;
    const file = join(options.out, `${kind}-seed${SEED}-doc${index}.yaml`);
    writeFileSync(file, `# from ${document.name}; node bench/fuzz-policies.mjs --seed ${SEED} --only ${index}\n# ${detail.split('\n').join('\n# ')}\n${document.text}`);
    console.log(`${kind}: document ${index} (from ${document.name}), reproducer ${file}\n  ${detail.split('\n').slice(0, 6).join('\n  ')}`);
  };
  const indices = options.only === undefined ? { from: 0, to: COUNT } : { from: Number(options.only), to: Number(options.only) + 1 };
  const start = performance.now();
  for (let index = indices.from; index < indices.to; index++) {
    if (index > indices.from && index % 10_000 === 0) process.stderr.write(`${index - indices.from} documents, ${counts.exceptions} exceptions\n`);
    const document = fuzzedDocument(corpus, SEED, index);
    const outcome = policyOutcome(engine, document.text, document.name);
    counts.documents += 1;
    if (outcome.exception !== undefined) {
      const exception = outcome.exception;
      report('exceptions', index, document, exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
      continue;
    }
    if (outcome.defects.length > 0) {
      report('defects', index, document, outcome.defects.join('\n'));
      for (const kind of new Set(outcome.defects.map(defectKind))) defectKinds.set(kind, (defectKinds.get(kind) ?? 0) + 1);
    }
    if (outcome.errors.length > 0) counts.invalid += 1;
    else if (outcome.policies > 0) counts.valid += 1;
    else counts.ignored += 1;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `seed ${SEED}: ${counts.documents} documents from ${corpus.length} corpus files in ${seconds.toFixed(1)} s ` +
      `(${Math.round(counts.documents / seconds)} documents/s): ${counts.valid} valid, ${counts.invalid} invalid, ` +
      `${counts.ignored} without a policy; ${counts.exceptions} exceptions, ${counts.defects} documents with malformed errors`,
  );
  for (const [kind, documents] of [...defectKinds].sort((a, b) => b[1] - a[1])) console.log(`  ${documents} documents: ${kind}`);
  if (counts.exceptions > 0 || counts.defects > 0) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
