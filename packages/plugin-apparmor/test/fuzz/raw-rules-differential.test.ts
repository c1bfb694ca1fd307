import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { findApparmorParser } from '../../src/verify/apparmor-parser.js';
import { parseCustomProfile, printCustomProfile } from '../../src/grammar/custom-profile.js';
import { parseRawRules } from '../../src/grammar/raw-rules.js';
import { printStatement } from '../../src/grammar/print.js';
import { AppArmorOracle, type Candidate, type Finding, type RunStats, canonicalTextProblems, differentialRun } from '../support/apparmor-oracle.js';
import { PAYLOADS, Random, customProfileText, mutatedText, rawRuleText } from '../support/raw-rule-generator.js';

// Differential fuzzing against apparmor_parser: whatever armorkit accepts, apparmor_parser must read exactly as
// armorkit printed it (same binary policy), in profile p only, without transitions. bench/fuzz-apparmor.mjs runs
// the same harness for a million candidates; this is the bounded run of the suite.

const parser = findApparmorParser();
const FIXED_SEED = 20261201;
/** One more seed per run, printed on failure; FUZZ_SEED=N replays it. */
const RANDOM_SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const LEGITIMATE = JSON.parse(readFileSync(new URL('../fixtures/legitimate-raw-rules.json', import.meta.url), 'utf8')) as string[];

const readRaw = (text: string): string | undefined => {
  const parsed = parseRawRules(text);
  return parsed.statements ? parsed.statements.map(printStatement).join('\n') : undefined;
};
const readCustom = (text: string, profileName: string): string | undefined => {
  const parsed = parseCustomProfile(text, profileName);
  return parsed.tree ? printCustomProfile(parsed.tree) : undefined;
};

/** The lists in which apparmor_parser keeps `\"` inside the value while the old tokenizer started a string there. */
const CARRIERS = [
  (payload: string) => `deny mount fstype=(x\\"), ${payload} # "),`,
  (payload: string) => `deny mount fstype=(x\\") -> /mnt/, ${payload} # "),`,
  (payload: string) => `deny umount fstype=(x\\") /mnt/, ${payload} # "),`,
  // remount takes an fstype only with options (apparmor_parser cannot encode it alone)
  (payload: string) => `deny remount options=(ro) fstype=(x\\") /mnt/, ${payload} # "),`,
  (payload: string) => `unix (send) peer=(label=x\\"), ${payload} # "),`,
  (payload: string) => `dbus send bus=session peer=(name=x\\"), ${payload} # "),`,
  (payload: string) => `signal (send) set=(kill) peer=x\\", ${payload} # ",`,
];
/** Payloads that, read as rules, escape the profile (each on one line: the old tokenizer's strings end at a newline). */
const ESCAPING_PAYLOADS = [
  'change_profile -> unconfined,',
  '/** ux,',
  '/usr/bin/* pix,',
  '^evil flags=(unconfined) { /** rwix, }',
  '} profile p//child_1 flags=(unconfined) { /** ux, } profile p//child_2 {',
  'set rlimit nproc <= 1,',
];
/** What the fuzzer found in the old checker (a tokenizer imitating apparmor_parser's, the user's bytes pasted). */
const FOUND_IN_OLD_CHECKER = [
  'deny mount fstype=(p\\") -> /a/foo/, /usr/bin/* pix, # "),',
  'deny mount fstype=(usr\\\\") -> /child_1/data/foo/,\t/** ux,# "),',
  'deny mount fstype=(bin\\") -> /usr/sys/proc/*/,\t^evil flags=(unconfined) { /** rwix, }# "),\naudit deny /etc/etc/bar/sys m,',
];

/** What the fuzzer found in the grammar's first version (bench/fuzz-apparmor.mjs, seed 1), one or two of each class. */
const FOUND_IN_GRAMMAR = [
  // an include followed by text that we read as a comment and apparmor_parser as a second include (the escape: Px ->)
  '  deny owner @{sys}/proc/usr? rw,\n#include <abstractions/nameservice>\t#include <abstractions/opencl-nvidia>   \naudit file /etc/proc/tmp/usr k,  ',
  '#include <abstractions/base> #include if exists <abstractions/fonts>\naudit mount, /usr/unconfined/bar rix,',
  '#include <abstractions/base>#include "/etc/app\\"armor.d/evil"',
  // braces with one alternative
  'audit deny /a{d}/** k,',
  'deny "/tmp/ hat evil { } a #b" r,',
  // a line break inside `name in (` or `name=(`
  'audit deny mount options \nin (noexec) /unconfined/a/unconfined/data -> @{HOME}/data/p/,',
  'audit unix (connect connect) peer\n=(addr=@sys, label=foo),',
  'unix (receive,send) type=dgram peer=\n(label=x),',
  // mount propagation with a source: apparmor_parser cannot encode it
  'deny mount options=(slave) /data?/,',
];

const oracle = new AppArmorOracle(parser ?? 'apparmor_parser');
afterAll(() => oracle.close());

function describeFindings(findings: readonly Finding[], seed: number): string {
  return `seed ${seed}: ${findings.length} failing cases\n${findings
    .slice(0, 5)
    .map((f) => `${f.kind}: raw ${JSON.stringify(f.raw)}\n  printed ${JSON.stringify(f.printed)}\n  ${f.detail}`)
    .join('\n')}`;
}

/** Without apparmor_parser every check would fail slowly, one candidate at a time: fail at once instead. */
function requireParser(): void {
  if (!parser) throw new Error('apparmor_parser is not installed (Debian package apparmor); the differential tests need it');
}

async function fuzzRawRules(seed: number, count: number): Promise<RunStats> {
  requireParser();
  const random = new Random(seed);
  const seeds = [...LEGITIMATE, ...PAYLOADS];
  return differentialRun({ oracle, kind: 'raw', count, read: readRaw, canonical: true, generate: () => (random.chance(0.1) ? mutatedText(random, seeds) : rawRuleText(random)) });
}

// apparmor_parser is a dependency `make` installs: its absence is a failure, not a reason to skip.
describe('apparmor_parser', () => {
  it('is installed', () => {
    expect(parser, 'apparmor_parser (Debian package apparmor)').toBeDefined();
  });
});

describe('known carriers', () => {
  const cases = CARRIERS.flatMap((carrier) => ESCAPING_PAYLOADS.map((payload) => carrier(payload)));

  it('escape the profile when pasted as they are: the oracle sees each one', { timeout: 300_000 }, async () => {
    requireParser();
    // Every carrier once, each with another payload (all 42 pairs alone would take minutes on a busy machine).
    const sample = [...CARRIERS.map((carrier, i) => carrier(ESCAPING_PAYLOADS[i % ESCAPING_PAYLOADS.length] as string)), ...FOUND_IN_OLD_CHECKER];
    const pasted = await oracle.checkRawRules(sample.map((raw) => ({ raw, printed: raw })));
    const escaped = new Set(pasted.filter((f) => f.escape).map((f) => f.raw));
    expect(sample.filter((raw) => !escaped.has(raw))).toEqual([]);
  });

  it.each(cases.map((raw) => [raw]))('%j is refused or printed harmlessly', async (raw) => {
    const printed = readRaw(raw);
    if (printed === undefined) return;
    expect(await oracle.checkRawRules([{ raw, printed }])).toEqual([]);
  });

  it('the cases the fuzzer found in the old checker are refused or printed harmlessly', async () => {
    const accepted: Candidate[] = FOUND_IN_OLD_CHECKER.flatMap((raw) => {
      const printed = readRaw(raw);
      return printed === undefined ? [] : [{ raw, printed }];
    });
    expect(await oracle.checkRawRules(accepted)).toEqual([]);
  });

  it('the cases the fuzzer found in the grammar are refused or read as apparmor_parser reads them', { timeout: 300_000 }, async () => {
    requireParser();
    const accepted: Candidate[] = FOUND_IN_GRAMMAR.flatMap((raw) => {
      const printed = readRaw(raw);
      return printed === undefined ? [] : [{ raw, printed }];
    });
    expect(await oracle.checkRawRules(accepted)).toEqual([]);
  });

  it('in a custom profile, are refused or printed harmlessly', async () => {
    const name = 'varmor-demo-demo';
    const profiles = cases.map((rule) => `abi <abi/3.0>,\ninclude <tunables/global>\nprofile ${name} flags=(attach_disconnected) {\n  file,\n  ${rule}\n}\n`);
    const accepted = profiles.flatMap((raw) => {
      const printed = readCustom(raw, name);
      return printed === undefined ? [] : [{ raw, printed, profileName: name }];
    });
    const findings = [];
    for (const candidate of accepted) findings.push(...(await oracle.checkCustomProfiles([candidate])));
    expect(findings).toEqual([]);
  });
});

describe('the canonical-text check', () => {
  it.each(['/** ux,', '/bin/x px -> y,', 'Cx /bin/x,', 'change_profile -> unconfined,', 'pivot_root -> evil,', '^hat {', 'hat h {', 'profile x {', 'set rlimit nproc <= 1,', 'include if exists <local/x>', 'include "/etc/x"'])(
    'flags %j',
    (text) => {
      expect(canonicalTextProblems(text)).not.toEqual([]);
    },
  );

  it.each(['deny change_profile -> unconfined,', 'audit deny pivot_root -> x,', '/bin/x ix,', 'deny /x x,', 'link /a -> /b,', 'mount -> /m/,', 'include <abstractions/base>', 'dbus (send) member=ux,', 'audit "/usr/foo{ change_profile -> unconfined, c,d}" l,', 'owner "/x/a # -> px" rix,'])(
    'passes %j',
    (text) => {
      expect(canonicalTextProblems(text)).toEqual([]);
    },
  );
});

describe('differential fuzzing against apparmor_parser', () => {
  it(`raw rules, fixed seed ${FIXED_SEED}: 0 escapes, 0 divergences`, { timeout: 300_000 }, async () => {
    const stats = await fuzzRawRules(FIXED_SEED, 1500);
    expect(stats.findings, describeFindings(stats.findings, FIXED_SEED)).toEqual([]);
    // A generator that armorkit refuses entirely would prove nothing.
    expect(stats.accepted).toBeGreaterThan(150);
  });

  it('raw rules, a random seed: 0 escapes, 0 divergences', { timeout: 300_000 }, async () => {
    const stats = await fuzzRawRules(RANDOM_SEED, 700);
    expect(stats.findings, describeFindings(stats.findings, RANDOM_SEED)).toEqual([]);
  });

  it(`custom profiles, fixed seed ${FIXED_SEED}: 0 escapes, 0 divergences`, { timeout: 300_000 }, async () => {
    requireParser();
    const random = new Random(FIXED_SEED);
    const stats = await differentialRun({ oracle, kind: 'custom', count: 120, read: readCustom, canonical: true, generate: (_, name) => customProfileText(random, name) });
    expect(stats.findings, describeFindings(stats.findings, FIXED_SEED)).toEqual([]);
    expect(stats.accepted).toBeGreaterThan(10);
  });
});
