// apparmor_parser as the oracle of the differential fuzzer. For every raw rule text R armorkit accepts, with E the
// text armorkit prints for it:
//   (a) `profile p { E }` compiles and declares exactly p;
//   (b) `profile p { R }` compiles to the same binary policy (armorkit read R as apparmor_parser does);
//   (c) E's compiled rules hold no exec transition, change_profile, named transition table or rlimit.
// Many candidates go into one file (profiles p0..pN) and one apparmor_parser run; a batch that fails is bisected
// down to the candidates that fail alone. Only node: modules, so bench/fuzz-apparmor.mjs can load it as it is.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FEATURES = '/usr/share/apparmor-features/features';
const PREAMBLE = 'abi <abi/3.0>,\ninclude <tunables/global>\n';

/** An escape breaks (a) or (c), or makes R declare other profiles or add transitions; a divergence is any other (b) difference. */
export type FindingKind =
  | 'printed-does-not-compile'
  | 'printed-declares-other-profiles'
  | 'printed-transition'
  | 'raw-declares-other-profiles'
  | 'raw-transition'
  | 'raw-does-not-compile'
  | 'raw-compiles-differently';

export const ESCAPES: ReadonlySet<FindingKind> = new Set([
  'printed-does-not-compile',
  'printed-declares-other-profiles',
  'printed-transition',
  'raw-declares-other-profiles',
  'raw-transition',
]);

export interface Candidate {
  /** The user's text. */
  raw: string;
  /** What armorkit prints for it (statements for raw rules, the whole profile for a custom profile). */
  printed: string;
  /** For custom profiles: the one profile the text must declare. */
  profileName?: string;
}

export interface Finding {
  kind: FindingKind;
  escape: boolean;
  raw: string;
  printed: string;
  detail: string;
}

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** What `-S -D rule-exprs` shows of a compiled text: per-rule permissions, and the binary's named sections. */
export interface Structure {
  transitions: string[];
}

// File permission bits in rule-exprs dumps (apparmor_parser 3.0, parser/immunix.h): exec, and the exec modes other
// than inherit (unsafe, the four modifier bits that encode px/cx/ux and name-table indexes), for user and other.
const MAY_EXEC = 0x1;
const EXEC_TRANSITION = 0x100 | 0x400 | 0x800 | 0x1000 | 0x2000;
const OTHER_SHIFT = 14;
/** AA_CHANGE_PROFILE and AA_ONEXEC: the permissions of change_profile rules. */
const CHANGE_PROFILE_BITS = 0xc0000000;
/** The binary policy's rlimits section (named transitions show in the dump; `deny pivot_root -> x` makes an xtable too). */
const RLIMITS = Buffer.from('\x04\x08\x00rlimits\x00', 'latin1');
/** Where each profile of a multi-file run begins in the binary output (files are compiled in parallel, in any order). */
const VERSION = Buffer.from('\x04\x08\x00version\x00', 'latin1');

/** Allowed rules of the file class (not `\xNN`-prefixed mediation classes) whose permissions give a transition. */
export function transitionsIn(dump: string, binary: Buffer): string[] {
  const found: string[] = [];
  for (const line of dump.split('\n')) {
    const rule = /^rule: (\S+)\s+->\s+.*?( deny)? \((0x[0-9a-f]+)\//.exec(line);
    if (!rule || rule[2]) continue;
    if ((rule[1] ?? '').startsWith('\\')) continue;
    const perms = Number.parseInt(rule[3] ?? '0', 16);
    const exec = (bits: number) => (bits & MAY_EXEC) !== 0 && (bits & EXEC_TRANSITION) !== 0;
    if ((perms & CHANGE_PROFILE_BITS) !== 0 || exec(perms & 0x3fff) || exec((perms >>> OTHER_SHIFT) & 0x3fff)) found.push(line);
  }
  if (binary.includes(RLIMITS)) found.push('the binary policy has an rlimits section');
  return found;
}

/** One batch as files: the printed side, the raw side, the profiles they must declare, and which candidate a line is in. */
interface Layout {
  printed: string[];
  raw: string[];
  names: string[];
  /** The candidate that `file` line `line` belongs to, when it is one of ours. */
  locate(file: string, line: number): number | undefined;
}

interface Side {
  run: Run;
  names: string[];
  transitions: string[];
}

export class AppArmorOracle {
  /** apparmor_parser invocations so far. */
  runs = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), 'armorkit-fuzz-'));
  private file = 0;

  constructor(
    private readonly parser: string,
    private readonly features = FEATURES,
  ) {}

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Raw rule candidates: each in a profile of its own (p0, p1, ...), all in one file per side. */
  checkRawRules(candidates: readonly Candidate[]): Promise<Finding[]> {
    // Names stay with their candidate while a failing batch is narrowed down.
    const named = candidates.map((c, i) => ({ ...c, profileName: `p${i}` }));
    return this.check(named, (batch) => {
      const file = (side: 'raw' | 'printed') => this.write(PREAMBLE + batch.map((c) => `profile ${c.profileName} {\n${c[side]}\n}\n`).join(''));
      const printed = file('printed');
      const raw = file('raw');
      return {
        printed: [printed],
        raw: [raw],
        names: batch.map((c) => c.profileName ?? ''),
        locate: (where, at) => (where === printed ? locateLine(at, batch, 'printed') : where === raw ? locateLine(at, batch, 'raw') : undefined),
      };
    });
  }

  /** Custom profile candidates: whole files (each declaring its own profile name), many files per apparmor_parser run. */
  checkCustomProfiles(candidates: readonly Candidate[]): Promise<Finding[]> {
    return this.check(candidates, (batch) => {
      const printed = batch.map((c) => this.write(c.printed));
      const raw = batch.map((c) => this.write(c.raw));
      return {
        printed,
        raw,
        names: batch.map((c) => c.profileName ?? ''),
        locate: (where) => {
          const index = printed.indexOf(where);
          return index >= 0 ? index : raw.indexOf(where) >= 0 ? raw.indexOf(where) : undefined;
        },
      };
    });
  }

  /**
   * Checks a batch in stages: both sides parsed (-N: cheap, finds most texts apparmor_parser refuses, lists the
   * profiles), then compiled (-S; the printed side with its rule dump). When a stage fails, the candidate its error
   * names is checked alone and the stage is run again without it; a batch that differs as a whole is halved.
   */
  private async check(candidates: readonly Candidate[], layout: (batch: readonly Candidate[]) => Layout): Promise<Finding[]> {
    const findings: Finding[] = [];
    const pending = [...candidates];
    const stages = [
      { args: ['-N'], side: 'printed' },
      { args: ['-N'], side: 'raw' },
      { args: ['-S', '-D', 'rule-exprs'], side: 'printed' },
      { args: ['-S'], side: 'raw' },
    ] as const;
    const outputs: Run[] = [];
    for (let stage = 0; stage < stages.length; ) {
      if (pending.length === 0) return findings;
      const { args, side } = stages[stage] as (typeof stages)[number];
      const files = layout(pending);
      // Files compile in parallel jobs whose rule dumps interleave on stderr mid-line: one job when the dump is read.
      const run = await this.run(files[side].length > 1 && (args as readonly string[]).includes('-D') ? ['-j', '1', ...args] : args, files[side]);
      if (run.code === 0) {
        outputs[stage++] = run;
        continue;
      }
      const culprit = pending.length === 1 ? 0 : locateError(run.stderr, files.locate);
      if (culprit === undefined) return [...findings, ...(await this.halve(pending, layout))];
      findings.push(...(await this.classify(pending.splice(culprit, 1)[0] as Candidate, layout)));
      // The two compile stages must see the same batch; the profile lists are filtered below.
      if (stage === 3) stage = 2;
    }
    // The -N lists were made before some candidates were taken out: leave out their profiles (and their children).
    const removed = new Set(candidates.filter((c) => !pending.includes(c)).map((c) => c.profileName ?? ''));
    const expected = pending.map((c) => c.profileName ?? '').sort().join('\n');
    const listed = (run: Run) => run.stdout.toString('utf8').split('\n').filter((name) => name !== '' && !removed.has(name.split('//')[0] ?? '')).sort().join('\n');
    const [printedNames, , printed, raw] = outputs as [Run, Run, Run, Run];
    if (listed(printedNames) === expected && transitionsIn(printed.stderr, printed.stdout).length === 0 && samePolicies(printed.stdout, raw.stdout)) return findings;
    if (pending.length === 1) return [...findings, ...(await this.classify(pending[0] as Candidate, layout))];
    return [...findings, ...(await this.halve(pending, layout))];
  }

  /** A batch that differs as a whole: its halves, or the batch itself when every half passes alone. */
  private async halve(pending: readonly Candidate[], layout: (batch: readonly Candidate[]) => Layout): Promise<Finding[]> {
    const middle = Math.ceil(pending.length / 2);
    const halves = [...(await this.check(pending.slice(0, middle), layout)), ...(await this.check(pending.slice(middle), layout))];
    return halves.length > 0 ? halves : [together(pending)];
  }

  private async side(files: readonly string[]): Promise<Side> {
    const run = await this.run(['-S', '-D', 'rule-exprs'], files);
    if (run.code !== 0) return { run, names: [], transitions: [] };
    const names = (await this.run(['-N'], files)).stdout.toString('utf8').split('\n').filter((line) => line !== '').sort();
    return { run, names, transitions: transitionsIn(run.stderr, run.stdout) };
  }

  /** What is wrong with one candidate, checked alone: the printed side first, then the raw side against it. */
  private async classify(candidate: Candidate, layout: (batch: readonly Candidate[]) => Layout): Promise<Finding[]> {
    const finding = (kind: FindingKind, detail: string): Finding[] => [{ kind, escape: ESCAPES.has(kind), raw: candidate.raw, printed: candidate.printed, detail }];
    const files = layout([candidate]);
    const expected = [candidate.profileName ?? ''];
    const printed = await this.side(files.printed);
    const raw = await this.side(files.raw);
    // Both refused: armorkit accepted what apparmor_parser refuses (a divergence); only the printed side: an escape of (a).
    if (printed.run.code !== 0) return finding(raw.run.code !== 0 ? 'raw-does-not-compile' : 'printed-does-not-compile', firstLines(printed.run.stderr));
    if (printed.names.join('\n') !== expected.join('\n')) return finding('printed-declares-other-profiles', `declares ${printed.names.join(', ')}`);
    if (printed.transitions.length > 0) return finding('printed-transition', printed.transitions.slice(0, 3).join('\n'));
    if (raw.run.code !== 0) return finding('raw-does-not-compile', firstLines(raw.run.stderr));
    if (raw.names.join('\n') !== expected.join('\n')) return finding('raw-declares-other-profiles', `declares ${raw.names.join(', ')}`);
    if (raw.transitions.length > 0) return finding('raw-transition', raw.transitions.slice(0, 3).join('\n'));
    if (samePolicies(printed.run.stdout, raw.run.stdout)) return [];
    return finding('raw-compiles-differently', `binary policy: ${printed.run.stdout.length} bytes printed, ${raw.run.stdout.length} bytes raw`);
  }

  private run(args: readonly string[], files: readonly string[]): Promise<Run> {
    this.runs++;
    const started = Date.now();
    return new Promise((resolve) => {
      execFile(this.parser, ['-K', '-T', '-M', this.features, ...args, ...files], { encoding: 'buffer', maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (process.env.FUZZ_TRACE) console.error(`apparmor_parser ${args.join(' ')} (${files.length} files): status ${code}, ${Date.now() - started} ms`);
        resolve({ code, stdout, stderr: stderr.toString('utf8') });
      });
    });
  }

  private write(text: string): string {
    const file = join(this.dir, `f${this.file++}`);
    writeFileSync(file, text);
    return file;
  }
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

/** The candidate whose profile holds `line` of a raw-rules batch file (the preamble is two lines). */
function locateLine(line: number, batch: readonly Candidate[], side: 'raw' | 'printed'): number | undefined {
  let at = 3;
  for (let i = 0; i < batch.length; i++) {
    const end = at + 1 + lineCount((batch[i] as Candidate)[side]);
    if (line >= at && line <= end) return i;
    at = end + 1;
  }
  return undefined;
}

/** The candidate apparmor_parser's first error names ("... for FILE ... at line N: ..."), if it is in one of ours. */
function locateError(stderr: string, locate: Layout['locate']): number | undefined {
  for (const line of stderr.split('\n')) {
    const located = /error for (\S+) in profile (\S+) at line (\d+)/.exec(line) ?? /error, in (\S+)() line (\d+)/.exec(line);
    if (!located) continue;
    // "in profile" names the file the error is in (an included abstraction is not ours: nothing is located).
    const file = located[2] || located[1] || '';
    return locate(file, Number(located[3]));
  }
  return undefined;
}

/** Same binary policy, profile by profile (files compiled in parallel come out in any order). */
function samePolicies(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  const pieces = (buffer: Buffer) => {
    const out: string[] = [];
    let from = 0;
    for (let at = buffer.indexOf(VERSION, 1); at >= 0; at = buffer.indexOf(VERSION, at + 1)) {
      out.push(buffer.subarray(from, at).toString('base64'));
      from = at;
    }
    out.push(buffer.subarray(from).toString('base64'));
    return out.sort().join('\n');
  };
  return a.length === b.length && pieces(a) === pieces(b);
}

function together(candidates: readonly Candidate[]): Finding {
  return {
    kind: 'raw-compiles-differently',
    escape: false,
    raw: candidates.map((c) => c.raw).join('\n\u2063\n'),
    printed: candidates.map((c) => c.printed).join('\n\u2063\n'),
    detail: `${candidates.length} candidates fail together but pass in halves`,
  };
}

function firstLines(text: string): string {
  const messages = text.split('\n').filter((line) => line.trim() !== '' && !/^(aare|rule): /.test(line));
  return messages.slice(0, 3).join('\n');
}

const QUALIFIERS = new Set(['audit', 'allow', 'deny', 'owner']);
const EXEC_TRANSITION_PERMS = /^[rwaklmix]*[pPcCuU]i?x[rwaklm]*,?$/i;

/**
 * (c) on canonical printed text, cheap and in-process: no profile, hat or `^`, change_profile and pivot_root only
 * denied, includes only of abstractions, no rlimit, and no exec transition in a file rule. Only for a printer's
 * output (one statement a line, no comments); the user's own text would need apparmor_parser's lexer.
 */
export function canonicalTextProblems(printed: string): string[] {
  const problems: string[] = [];
  for (const line of printed.split('\n')) {
    const text = line.trim();
    if (text === '') continue;
    if (/^#?include\b/.test(text)) {
      if (!/^include <abstractions\/[A-Za-z0-9_.-]+>$/.test(text)) problems.push(`include: ${text}`);
      continue;
    }
    // Quoted paths may hold blanks, `->` and anything else: one opaque token each.
    const tokens = text.replace(/,$/, '').replace(/"[^"]*"/g, '"…"').split(/\s+/);
    let k = 0;
    while (k < tokens.length && QUALIFIERS.has(tokens[k] ?? '')) k++;
    const denied = tokens.slice(0, k).includes('deny');
    const keyword = tokens[k] ?? '';
    if (/^(profile|hat|set|rlimit|change_hat)$/.test(keyword) || keyword.startsWith('^') || /[{}]\s*$/.test(text)) problems.push(`declares or sets: ${text}`);
    else if (/^(change_profile|pivot_root)$/.test(keyword) && !denied) problems.push(`${keyword} not denied: ${text}`);
    else if (/^(file|["/@])/.test(keyword) || EXEC_TRANSITION_PERMS.test(keyword)) {
      const perms = EXEC_TRANSITION_PERMS.test(keyword) ? keyword : tokens[tokens.length - 1] ?? '';
      if (EXEC_TRANSITION_PERMS.test(perms) || (tokens.includes('->') && keyword !== 'link')) problems.push(`exec transition: ${text}`);
    }
  }
  return problems;
}

/** The lines between a printed profile's `{` line and its closing `}`. */
function profileBody(printed: string): string {
  const lines = printed.split('\n');
  const open = lines.findIndex((line) => line.trimEnd().endsWith('{'));
  const close = lines.map((line) => line.trim()).lastIndexOf('}');
  return open < 0 || close < open ? printed : lines.slice(open + 1, close).join('\n');
}

/** armorkit's reading of a candidate: the text it prints, or undefined when it refuses the candidate. */
export type Reader = (raw: string, profileName: string) => string | undefined;

export interface RunStats {
  candidates: number;
  accepted: number;
  distinctPrinted: number;
  parserRuns: number;
  escapes: number;
  divergences: number;
  findings: Finding[];
  seconds: number;
  /** Of `seconds`, the time armorkit spent reading (parsing and printing) candidates. */
  readSeconds: number;
}

export interface RunOptions {
  oracle: AppArmorOracle;
  /** 'raw' places candidates in a profile; 'custom' checks them as whole files declaring `<profileName>-c<index>`. */
  kind: 'raw' | 'custom';
  count: number;
  /** The candidate for `index`; custom profiles must declare `profileName` (one per candidate, so a batch can share a run). */
  generate: (index: number, profileName: string) => string;
  read: Reader;
  profileName?: string;
  batchSize?: number;
  /** Stops collecting findings (not counting) after this many. */
  keepFindings?: number;
  /** The reader prints canonical text: check it with canonicalTextProblems too. */
  canonical?: boolean;
  onFinding?: (finding: Finding) => void;
  onProgress?: (stats: RunStats) => void;
}

/** Generates `count` candidates, keeps those armorkit accepts (each raw text once), and checks them in batches. */
export async function differentialRun(options: RunOptions): Promise<RunStats> {
  const { oracle, kind, count, generate, read } = options;
  const baseName = options.profileName ?? 'varmor-fuzz';
  const batchSize = options.batchSize ?? (kind === 'raw' ? 500 : 60);
  const started = process.hrtime.bigint();
  const stats: RunStats = { candidates: 0, accepted: 0, distinctPrinted: 0, parserRuns: 0, escapes: 0, divergences: 0, findings: [], seconds: 0, readSeconds: 0 };
  const seenRaw = new Set<string>();
  const seenPrinted = new Set<string>();
  let batch: Candidate[] = [];
  const record = (finding: Finding) => {
    if (finding.escape) stats.escapes++;
    else stats.divergences++;
    if (stats.findings.length < (options.keepFindings ?? 50)) stats.findings.push(finding);
    options.onFinding?.(finding);
  };
  const flush = async () => {
    const findings = kind === 'raw' ? await oracle.checkRawRules(batch) : await oracle.checkCustomProfiles(batch);
    batch = [];
    findings.forEach(record);
    stats.parserRuns = oracle.runs;
    stats.seconds = Number(process.hrtime.bigint() - started) / 1e9;
    options.onProgress?.(stats);
  };
  for (let i = 0; i < count; i++) {
    const profileName = kind === 'custom' ? `${baseName}-c${i}` : baseName;
    const raw = generate(i, profileName);
    stats.candidates++;
    const reading = process.hrtime.bigint();
    const printed = read(raw, profileName);
    stats.readSeconds += Number(process.hrtime.bigint() - reading) / 1e9;
    if (printed === undefined) continue;
    stats.accepted++;
    const rawKey = digest(raw);
    if (seenRaw.has(rawKey)) continue;
    seenRaw.add(rawKey);
    const printedKey = digest(printed);
    if (!seenPrinted.has(printedKey)) {
      seenPrinted.add(printedKey);
      stats.distinctPrinted++;
    }
    const textProblems = options.canonical ? canonicalTextProblems(kind === 'custom' ? profileBody(printed) : printed) : [];
    if (textProblems.length > 0) {
      record({ kind: 'printed-transition', escape: true, raw, printed, detail: textProblems.join('\n') });
      continue;
    }
    batch.push({ raw, printed, profileName });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return stats;
}

function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}
