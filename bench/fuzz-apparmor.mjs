// Differential fuzzing of raw AppArmor rules and custom profiles against apparmor_parser, for long runs (the test
// packages/plugin-apparmor/test/fuzz/raw-rules-differential.test.ts runs a few thousand in the suite). Generates
// candidates (test/support/raw-rule-generator.ts, seeded), lets armorkit read them (packages/plugin-apparmor/dist),
// and checks every accepted one with apparmor_parser (test/support/apparmor-oracle.ts): the printed statements compile
// in profile p, declare only p and hold no transition; the user's text compiles to byte-identical binary policy.
// Prints candidates/s, accepted, distinct printed, apparmor_parser runs, escapes and divergences; writes any failing
// case to --findings (JSON lines). Needs `pnpm exec tsc -b`.
//   node bench/fuzz-apparmor.mjs [--count N] [--seed S] [--custom-share F] [--checker grammar|old] [--findings FILE]
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseCustomProfile, parseRawRules, printCustomProfile, printStatement } from '@armorkit/plugin-apparmor/grammar';
// The old checker and the parser lookup are internals of the plugin: the fuzzer takes them by path.
import { checkRawRuleText } from '../packages/plugin-apparmor/dist/raw-rules.js';
import { checkCustomProfile } from '../packages/plugin-apparmor/dist/compile/custom-profile.js';
import { findApparmorParser } from '../packages/plugin-apparmor/dist/verify/apparmor-parser.js';

const args = parseArgs(process.argv.slice(2));
const COUNT = Number(args.count ?? 1_000_000);
const SEED = Number(args.seed ?? 1);
const CUSTOM_SHARE = Number(args['custom-share'] ?? 0.05);
const CHECKER = args.checker ?? 'grammar';
const FINDINGS = args.findings ?? 'fuzz-apparmor-findings.jsonl';

const { generator, oracle } = await loadSupport();
const parser = findApparmorParser();
if (!parser) throw new Error('apparmor_parser not found (Debian package apparmor)');
const readers = CHECKER === 'old' ? oldReaders() : grammarReaders();
const fuzz = new oracle.AppArmorOracle(parser);
let written = 0;
const onFinding = (finding) => {
  appendFileSync(FINDINGS, `${JSON.stringify(finding)}\n`);
  written++;
};
try {
  const rawCount = Math.round(COUNT * (1 - CUSTOM_SHARE));
  const random = new generator.Random(SEED);
  const legitimate = JSON.parse(readFileSync(new URL('../packages/plugin-apparmor/test/fixtures/legitimate-raw-rules.json', import.meta.url), 'utf8'));
  let last = 0;
  const progress = (label) => (stats) => {
    if (stats.seconds - last < 30) return;
    last = stats.seconds;
    console.error(`${label}: ${stats.candidates} candidates, ${stats.accepted} accepted, ${stats.escapes} escapes, ${stats.divergences} divergences, ${stats.seconds.toFixed(0)} s`);
  };
  const raw = await oracle.differentialRun({
    oracle: fuzz,
    kind: 'raw',
    count: rawCount,
    generate: () => (random.chance(0.1) ? generator.mutatedText(random, [...legitimate, ...generator.PAYLOADS]) : generator.rawRuleText(random)),
    read: readers.raw,
    canonical: CHECKER !== 'old',
    onFinding,
    onProgress: progress('raw rules'),
  });
  last = 0;
  const customRandom = new generator.Random(SEED ^ 0x5bd1e995);
  const custom = await oracle.differentialRun({
    oracle: fuzz,
    kind: 'custom',
    count: COUNT - rawCount,
    generate: (_, profileName) => generator.customProfileText(customRandom, profileName),
    read: readers.custom,
    canonical: CHECKER !== 'old',
    onFinding,
    onProgress: progress('custom profiles'),
  });
  const report = (label, stats) =>
    console.log(
      `${label.padEnd(16)} ${String(stats.candidates).padStart(9)} candidates  ${(stats.seconds > 0 ? stats.candidates / stats.seconds : 0).toFixed(0).padStart(6)}/s  ` +
        `accepted ${stats.accepted}  distinct printed ${stats.distinctPrinted}  apparmor_parser runs ${stats.parserRuns}  ` +
        `escapes ${stats.escapes}  divergences ${stats.divergences}  (${stats.seconds.toFixed(1)} s; armorkit alone reads ${stats.readSeconds > 0 ? (stats.candidates / stats.readSeconds).toFixed(0) : '-'}/s)`,
    );
  console.log(`fuzz-apparmor: checker ${CHECKER}, seed ${SEED}, apparmor_parser ${parser}`);
  report('raw rules', raw);
  const customOnly = { ...custom, parserRuns: custom.parserRuns - raw.parserRuns };
  report('custom profiles', customOnly);
  console.log(written > 0 ? `${written} failing cases written to ${FINDINGS}` : 'no failing case');
  process.exitCode = raw.escapes + raw.divergences + custom.escapes + custom.divergences > 0 ? 1 : 0;
} finally {
  fuzz.close();
}

/** The new grammar: parse into statements, print canonical text. */
function grammarReaders() {
  return {
    raw: (text) => {
      const parsed = parseRawRules(text);
      return parsed.statements ? parsed.statements.map(printStatement).join('\n') : undefined;
    },
    custom: (text, name) => {
      const parsed = parseCustomProfile(text, name);
      return parsed.tree ? printCustomProfile(parsed.tree) : undefined;
    },
  };
}

/** The old check (a tokenizer imitating apparmor_parser's, then the user's bytes pasted): printed = the user's text. */
function oldReaders() {
  return {
    raw: (text) => (checkRawRuleText(text).length === 0 ? text : undefined),
    custom: (text, name) => (checkCustomProfile(text, name, '/customProfile').length === 0 ? text : undefined),
  };
}

/** The harness lives in the plugin's tests as TypeScript without imports of ours: strip the types and load it. */
async function loadSupport() {
  const dir = mkdtempSync(join(tmpdir(), 'armorkit-fuzz-support-'));
  try {
    const load = async (name) => {
      const source = readFileSync(fileURLToPath(new URL(`../packages/plugin-apparmor/test/support/${name}.ts`, import.meta.url)), 'utf8');
      const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
      const file = join(dir, `${name}.mjs`);
      writeFileSync(file, outputText);
      return import(file);
    };
    return { generator: await load('raw-rule-generator'), oracle: await load('apparmor-oracle') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [key, value] = arg.includes('=') ? arg.slice(2).split(/=(.*)/s) : [arg.slice(2), argv[++i]];
    out[key] = value;
  }
  return out;
}
