import type { PolicyError } from '@armorkit/core';
import { checkTexts } from './apparmor-parser.js';
import { type ExpectedProfiles, checkDeclaredNames, checkDeclaredProfiles } from './declared-profiles.js';
import { checkTransitions, strangerStatement } from './transitions.js';

/**
 * What runs on every text before it is accepted (verify) and before it is written and loaded (load): the profiles
 * apparmor_parser lists are exactly those compile declared, and the expanded rules hold no transition it did not write.
 */
export async function checkBackstop(parser: string, text: string, expected: ExpectedProfiles): Promise<PolicyError[]> {
  const [declared, transitions] = await Promise.all([checkDeclaredProfiles(parser, text, expected), checkTransitions(parser, text, expected)]);
  return declared.length > 0 ? declared : transitions;
}

/**
 * The backstop over many texts in two parser runs; true when every text passes (false: check them one by one to
 * say which failed). `-N` lists the files' profiles in file order, so each file's share is compared with its own
 * expected set; `-p` output is checked against the written transitions counted over all files.
 */
export async function backstopPassesAll(parser: string, texts: readonly string[], expected: readonly ExpectedProfiles[]): Promise<boolean> {
  // One job, so the parser handles the files in order (it runs several at once by default).
  const [names, expanded] = await Promise.all([checkTexts(parser, texts, ['-N', '-j', '1']), checkTexts(parser, texts, ['-p', '-j', '1'])]);
  if (names.run.code !== 0 || expanded.run.code !== 0) return false;
  const listed = names.run.stdout.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  let next = 0;
  for (const one of expected) {
    if (checkDeclaredNames(listed.slice(next, next + one.profiles.length), one.profiles) !== undefined) return false;
    next += one.profiles.length;
  }
  return next === listed.length && strangerStatement(expanded.run.stdout, expected.flatMap((one) => one.transitions)) === undefined;
}
