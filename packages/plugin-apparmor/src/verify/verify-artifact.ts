import { type PolicyError, policyError } from '@armorkit/core';
import type { AppArmorArtifactData } from '../compile/compile-profile.js';
import { expandDiskDevices } from '../disk-devices.js';
import { checkTexts, parseParserErrors, type ParserProblem } from './apparmor-parser.js';
import { checkDeclaredProfiles } from './declared-profiles.js';

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
    return policyError('apparmor-parser', origin.pointer, `${origin.source}: apparmor_parser: ${problem.message}`, data.text.split('\n')[(problem.line ?? 1) - 1]?.trim());
  }
  const where = problem.line === undefined ? '' : inChecked ? ` (profile line ${problem.line})` : ` (in ${problem.file} line ${problem.line}, included by the profile)`;
  return policyError('apparmor-parser', '', `profile ${profileName}${where}: apparmor_parser: ${problem.message}`);
}

/**
 * Checks profiles with apparmor_parser; one invocation for all, then one per profile only if something failed.
 * A profile that compiles must also declare exactly its own profile and child profiles (`apparmor_parser -N`).
 */
export async function verifyWithParser(
  parser: string,
  profiles: readonly { profileName: string; data: AppArmorArtifactData }[],
  extraArgs: readonly string[] = [],
): Promise<PolicyError[][]> {
  const texts = profiles.map((p) => textToCheck(p.data));
  const all = await checkTexts(parser, texts, extraArgs);
  const single = [all];
  if (all.run.code !== 0 && profiles.length > 1) {
    single.length = 0;
    for (const text of texts) single.push(await checkTexts(parser, [text], extraArgs));
  }
  const results: PolicyError[][] = [];
  for (let i = 0; i < profiles.length; i++) {
    const profile = profiles[i] as (typeof profiles)[number];
    const { run, files } = all.run.code === 0 ? all : (single[i] as (typeof single)[number]);
    if (run.code === 0) {
      results.push(await checkDeclaredProfiles(parser, texts[i] as string, profile.profileName));
      continue;
    }
    const problems = parseParserErrors(run.stderr);
    const found = problems.length > 0 ? problems : [{ message: `exited with status ${run.code}` }];
    const checkedFile = all.run.code === 0 ? files[i] : files[0];
    results.push(found.map((problem) => problemToError(problem, profile.data, profile.profileName, checkedFile)));
  }
  return results;
}
