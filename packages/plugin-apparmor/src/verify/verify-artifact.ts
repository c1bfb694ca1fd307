import { type PolicyError, policyError } from '@armorkit/core';
import type { AppArmorArtifactData } from '../compile/compile-profile.js';
import { expandDiskDevices } from '../disk-devices.js';
import { checkTexts, parseParserErrors, type ParserProblem } from './apparmor-parser.js';

/** One stand-in device: the expanded text then has the same line numbers as the artifact's line map. */
const SAMPLE_DEVICES = ['sda'];

/** The text apparmor_parser checks: disk-device markers expanded, so the rules they become are checked too. */
export function textToCheck(data: AppArmorArtifactData): string {
  return expandDiskDevices(data, SAMPLE_DEVICES);
}

/** A parser problem as a policy error at the field that produced the line. */
export function problemToError(problem: ParserProblem, data: AppArmorArtifactData, profileName: string): PolicyError {
  const origin = problem.line !== undefined ? data.origins[problem.line - 1] : undefined;
  if (origin && origin.pointer !== '') {
    return policyError('apparmor-parser', origin.pointer, `${origin.source}: apparmor_parser: ${problem.message}`, data.text.split('\n')[(problem.line ?? 1) - 1]?.trim());
  }
  const where = problem.line !== undefined ? ` (profile line ${problem.line})` : '';
  return policyError('apparmor-parser', '', `profile ${profileName}${where}: apparmor_parser: ${problem.message}`);
}

/** Checks profiles with apparmor_parser; one invocation for all, then one per profile only if something failed. */
export async function verifyWithParser(
  parser: string,
  profiles: readonly { profileName: string; data: AppArmorArtifactData }[],
  extraArgs: readonly string[] = [],
): Promise<PolicyError[][]> {
  const texts = profiles.map((p) => textToCheck(p.data));
  const all = await checkTexts(parser, texts, extraArgs);
  if (all.run.code === 0) return profiles.map(() => []);
  const single = [all];
  if (profiles.length > 1) {
    single.length = 0;
    for (const text of texts) single.push(await checkTexts(parser, [text], extraArgs));
  }
  return single.map(({ run }, i) => {
    if (run.code === 0) return [];
    const profile = profiles[i] as (typeof profiles)[number];
    const problems = parseParserErrors(run.stderr);
    const found = problems.length > 0 ? problems : [{ message: `exited with status ${run.code}` }];
    return found.map((problem) => problemToError(problem, profile.data, profile.profileName));
  });
}
