import { type PolicyError, policyError } from '@armorkit/core';
import { checkTexts } from './apparmor-parser.js';

/** What compile meant a text to declare: the profile set and the only exec transitions it wrote. */
export interface ExpectedProfiles {
  profileName: string;
  /** The profile and its children, as `apparmor_parser -N` lists them (`p`, `p//child_0`, …). */
  profiles: readonly string[];
  /** The transition lines compile wrote (`/bin/grep cx -> child_0,`). */
  transitions: readonly string[];
}

/** The expectation an artifact carries; an artifact without one (made elsewhere) may declare its profile only. */
export function expectedProfiles(profileName: string, data: { profiles?: readonly string[]; transitions?: readonly string[] }): ExpectedProfiles {
  return { profileName, profiles: data.profiles ?? [profileName], transitions: data.transitions ?? [] };
}

/**
 * The backstop behind the grammar: apparmor_parser itself lists (`-N`) the profiles a text declares, and they must
 * be exactly the ones compile declared, each once. A hat or a child that compile did not write is refused (the
 * parser lists both as `parent//name`), and so is a second profile: loading replaces every profile a file declares.
 */
export function checkDeclaredNames(names: readonly string[], expected: readonly string[]): string | undefined {
  const sorted = (list: readonly string[]) => [...list].sort();
  const [got, want] = [sorted(names), sorted(expected)];
  if (got.length === want.length && got.every((name, i) => name === want[i])) return undefined;
  const extra = got.filter((name) => !want.includes(name) || got.indexOf(name) !== got.lastIndexOf(name));
  const missing = want.filter((name) => !got.includes(name));
  return [
    `declares ${names.length === 0 ? 'no profile' : got.join(', ')}; expected exactly ${want.join(', ')}`,
    extra.length > 0 ? ` (not written by armorkit: ${[...new Set(extra)].join(', ')})` : '',
    missing.length > 0 ? ` (missing: ${missing.join(', ')})` : '',
  ].join('');
}

/** Runs `apparmor_parser -N` (with the compile-only flags) on exactly `text` and checks the declared names. */
export async function checkDeclaredProfiles(parser: string, text: string, expected: ExpectedProfiles): Promise<PolicyError[]> {
  const { run } = await checkTexts(parser, [text], ['-N']);
  if (run.code !== 0) {
    return [policyError('apparmor-declared-profiles', '', `profile ${expected.profileName}: apparmor_parser -N could not list the declared profiles (status ${run.code})`)];
  }
  const names = run.stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const problem = checkDeclaredNames(names, expected.profiles);
  return problem ? [policyError('apparmor-declared-profiles', '', `profile ${expected.profileName}: the text ${problem}`)] : [];
}
