import { type PolicyError, policyError } from '@armorkit/core';
import { checkTexts } from './apparmor-parser.js';

/**
 * The backstop behind the syntax checks: apparmor_parser itself lists (`-N`) the profiles a text declares, and the
 * text is refused unless they are exactly `<profileName>` and its `<profileName>//child_<N>` children. Loading
 * replaces every profile a file declares, so this is what keeps a policy from replacing another profile.
 */
export function checkDeclaredNames(names: readonly string[], profileName: string): string | undefined {
  const child = new RegExp(`^${profileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}//child_[0-9]+$`);
  if (names.filter((name) => name === profileName).length !== 1) {
    return `declares ${names.length === 0 ? 'no profile' : names.join(', ')}; expected exactly one ${profileName}`;
  }
  const stranger = names.find((name) => name !== profileName && !child.test(name));
  if (stranger !== undefined) return `declares the profile ${stranger}; only ${profileName} and its ${profileName}//child_<N> children are allowed`;
  if (new Set(names).size !== names.length) return `declares a profile twice (${names.join(', ')})`;
  return undefined;
}

/** Runs `apparmor_parser -N` (with the compile-only flags) on exactly `text` and checks the declared names. */
export async function checkDeclaredProfiles(parser: string, text: string, profileName: string): Promise<PolicyError[]> {
  const { run } = await checkTexts(parser, [text], ['-N']);
  if (run.code !== 0) {
    return [policyError('apparmor-declared-profiles', '', `profile ${profileName}: apparmor_parser -N could not list the declared profiles (status ${run.code})`)];
  }
  const names = run.stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const problem = checkDeclaredNames(names, profileName);
  return problem ? [policyError('apparmor-declared-profiles', '', `profile ${profileName}: the text ${problem}`)] : [];
}
