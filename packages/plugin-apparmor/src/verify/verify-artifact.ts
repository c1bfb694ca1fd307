import { type PolicyError, policyError } from '@armorkit/core';
import type { AppArmorArtifactData } from '../compile/compile-profile.js';
import { expandDiskDevices } from '../disk-devices.js';
import { inText } from '../raw-rules.js';
import { checkTexts, parseParserErrors, type ParserProblem } from './apparmor-parser.js';
import { backstopPassesAll, checkBackstop } from './backstop.js';
import { type ExpectedProfiles, expectedProfiles } from './declared-profiles.js';

/** One stand-in device: the expanded text then has the same line numbers as the artifact's line map. */
const SAMPLE_DEVICES = ['sda'];

/** The text apparmor_parser checks: disk-device markers expanded, so the rules they become are checked too. */
export function textToCheck(data: AppArmorArtifactData): string {
  return expandDiskDevices(data, SAMPLE_DEVICES);
}

/**
 * A parser problem as a policy error at the field that produced the line. Only a problem in the checked file itself
 * has a line of the artifact; one in an included file (tunables, abstractions) is reported with its own file.
 */
export function problemToError(problem: ParserProblem, data: AppArmorArtifactData, profileName: string, checkedFile?: string): PolicyError {
  const inChecked = problem.file === undefined || checkedFile === undefined || problem.file === checkedFile;
  const origin = inChecked && problem.line !== undefined ? data.origins[problem.line - 1] : undefined;
  if (origin && origin.pointer !== '') {
    // A line printed from a statement names the statement's place in the field (`raw rule line 2, column 5`).
    const where = origin.line === undefined ? origin.source : `${origin.source.replace(/ line [0-9]+$/, '')} ${inText({ line: origin.line, column: origin.column ?? 1 })}`;
    const error = policyError('apparmor-parser', origin.pointer, `${where}: apparmor_parser: ${problem.message}`, data.text.split('\n')[(problem.line ?? 1) - 1]?.trim());
    return origin.line === undefined ? error : { ...error, textPosition: { line: origin.line, column: origin.column ?? 1 } };
  }
  const where = problem.line === undefined ? '' : inChecked ? ` (profile line ${problem.line})` : ` (in ${problem.file} line ${problem.line}, included by the profile)`;
  return policyError('apparmor-parser', '', `profile ${profileName}${where}: apparmor_parser: ${problem.message}`);
}

/**
 * Checks profiles with apparmor_parser; one invocation for all, then one per profile only if something failed.
 * A profile that compiles must also pass the backstop: exactly the profiles compile declared (`apparmor_parser -N`)
 * and no transition it did not write (`apparmor_parser -p`).
 */
export async function verifyWithParser(
  parser: string,
  profiles: readonly { profileName: string; data: AppArmorArtifactData }[],
  extraArgs: readonly string[] = [],
): Promise<PolicyError[][]> {
  const texts = profiles.map((p) => textToCheck(p.data));
  const expected = profiles.map((p) => expectedProfiles(p.profileName, p.data));
  // The backstop's runs start with the compile check rather than after it (a third of validate's time); their
  // answer counts only if every profile compiled. One backstop run for all, or the profile's own when there is one.
  const [all, backstop] = await Promise.all([
    checkTexts(parser, texts, extraArgs),
    profiles.length === 1 ? checkBackstop(parser, texts[0] as string, expected[0] as ExpectedProfiles) : profiles.length > 1 ? backstopPassesAll(parser, texts, expected) : undefined,
  ]);
  const single = [all];
  if (all.run.code !== 0 && profiles.length > 1) {
    single.length = 0;
    for (const text of texts) single.push(await checkTexts(parser, [text], extraArgs));
  }
  // A compiled profile: its own backstop errors, or none when all compiled and passed together; else checked alone.
  const backstopErrors = async (i: number): Promise<PolicyError[]> => {
    if (Array.isArray(backstop)) return backstop;
    if (backstop === true && all.run.code === 0) return [];
    return checkBackstop(parser, texts[i] as string, expected[i] as ExpectedProfiles);
  };
  const results: PolicyError[][] = [];
  for (let i = 0; i < profiles.length; i++) {
    const profile = profiles[i] as (typeof profiles)[number];
    const { run, files } = all.run.code === 0 ? all : (single[i] as (typeof single)[number]);
    if (run.code === 0) {
      results.push(await backstopErrors(i));
      continue;
    }
    const problems = parseParserErrors(run.stderr);
    const found = problems.length > 0 ? problems : [{ message: `exited with status ${run.code}` }];
    const checkedFile = all.run.code === 0 ? files[i] : files[0];
    const placed = await placeProblems(parser, found, texts[i] as string, profile.data, extraArgs);
    results.push(placed.map((problem) => problemToError(problem, profile.data, profile.profileName, checkedFile)));
  }
  return results;
}

/** A profile holding one line of the artifact, to try that line alone. */
const probe = (line: string) => `abi <abi/3.0>,\ninclude <tunables/global>\nprofile armorkit-probe {\n${line}\n}\n`;

/**
 * Problems apparmor_parser reports without a line ("ERROR processing regexs …, failed to load") are given the line
 * that causes them: each line that came from the policy is tried alone, and those the parser refuses take the message.
 */
async function placeProblems(parser: string, problems: readonly ParserProblem[], text: string, data: AppArmorArtifactData, extraArgs: readonly string[]): Promise<ParserProblem[]> {
  if (problems.every((problem) => problem.line !== undefined)) return [...problems];
  const lines = text.split('\n');
  const suspects = lines.map((line, index) => ({ line, index })).filter(({ line, index }) => (data.origins[index]?.pointer ?? '') !== '' && line.trim() !== '' && !line.trim().startsWith('#'));
  const refused: number[] = [];
  for (const suspect of suspects) {
    const { run } = await checkTexts(parser, [probe(suspect.line)], extraArgs);
    if (run.code !== 0) refused.push(suspect.index + 1);
  }
  if (refused.length === 0) return [...problems];
  return problems.flatMap((problem) => (problem.line !== undefined ? [problem] : refused.map((line) => ({ ...problem, line }))));
}
