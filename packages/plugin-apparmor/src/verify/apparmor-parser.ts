import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian and others install apparmor_parser. */
export const PARSER_CANDIDATES = ['/usr/sbin/apparmor_parser', '/sbin/apparmor_parser', '/usr/bin/apparmor_parser'];

/** The first executable apparmor_parser among `candidates` (an explicit path is tried alone). */
export function findApparmorParser(candidates: readonly string[] = PARSER_CANDIDATES): string | undefined {
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next one
    }
  }
  return undefined;
}

export interface ParserRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * How long one apparmor_parser run may take. Some rule sets (many mount rules with option lists, globs that multiply)
 * make its automaton grow for minutes; a policy must not stall compile, verify or an admission webhook that way.
 */
export const PARSER_TIMEOUT_MS = 120_000;

export function runParser(parser: string, args: readonly string[], timeoutMs = PARSER_TIMEOUT_MS): Promise<ParserRun> {
  return new Promise((resolve) => {
    execFile(parser, [...args], { maxBuffer: 16 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error?.killed) {
        resolve({ code: 124, stdout: String(stdout), stderr: `apparmor_parser did not finish within ${timeoutMs / 1000} s: the rules make its automaton too large; write fewer or simpler rules\n` });
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Compile only (`-Q`), no kernel (`-K`, `-T`): works on hosts without AppArmor. */
export const CHECK_ARGS = ['-Q', '-K', '-T'];

/** One problem apparmor_parser reported: the file and line when it says them (an included file's, maybe), and its message. */
export interface ParserProblem {
  file?: string;
  line?: number;
  message: string;
}

/** Lines of apparmor_parser's stderr that report errors (its cache notices are not errors). */
export function parseParserErrors(stderr: string): ParserProblem[] {
  const problems: ParserProblem[] = [];
  for (const line of stderr.split('\n')) {
    const text = line.trim();
    if (text === '' || text.startsWith('Cache read/write disabled') || text.startsWith('Warning')) continue;
    // "AppArmor parser error for F in profile G at line N: MSG" (G: the file the error is in, F itself or a file it
    // includes) and "AppArmor parser error, in F line N: MSG"
    const located = /(?:for|in) (\S+?)(?: in profile (\S+))?,? (?:at )?line (\d+): (.*)$/.exec(text);
    if (located) problems.push({ file: located[2] ?? located[1] ?? '', line: Number(located[3]), message: located[4] ?? text });
    else problems.push({ message: text });
  }
  return problems;
}

/** Writes `texts` to a temporary directory, runs the parser on them in one invocation, and cleans up. */
export async function checkTexts(parser: string, texts: readonly string[], extraArgs: readonly string[] = []): Promise<{ run: ParserRun; files: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'armorkit-apparmor-'));
  try {
    const files = texts.map((_, i) => join(dir, `profile-${i}`));
    await Promise.all(texts.map((text, i) => writeFile(files[i] as string, text)));
    const run = await runParser(parser, [...CHECK_ARGS, ...extraArgs, ...files]);
    return { run, files };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
