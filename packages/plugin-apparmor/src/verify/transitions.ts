import { type PolicyError, policyError } from '@armorkit/core';
import { checkTexts } from './apparmor-parser.js';
import type { ExpectedProfiles } from './declared-profiles.js';

// The second half of the backstop: the rule set as apparmor_parser reads it (`-p`: the text with every include
// expanded, the abstractions and tunables too) may hold no exec transition, change_profile, hat or rlimit but
// those compile wrote. It is a check on text armorkit printed, so it is strict: anything it cannot read is refused.

/** Exec modes that move to another profile: px, Px, cx, Cx, ux, Ux, pix, Pux, cix, … (any case). */
const TRANSITION_MODE = /[pcu][iu]?x/i;
const MODE_WORD = /^[rwaklmixpcuRWAKLMIXPCU]+$/;

/** Statements of the preprocessed text: comments and quoted strings blanked, split at `,` `{` `}` and line ends. */
function statements(preprocessed: string): { text: string; problem?: string }[] {
  const result: { text: string; problem?: string }[] = [];
  for (const raw of preprocessed.split('\n')) {
    // Our printer writes no escapes and the allowed abstractions hold none: a backslash before a quote is refused.
    if (/\\"/.test(raw)) {
      result.push({ text: raw.trim(), problem: 'an escaped quote' });
      continue;
    }
    const line = raw.replace(/"[^"]*"/g, 'QUOTED').replace(/(^|[\s,])#(?!include).*$/, '$1');
    if (line.includes('"')) {
      result.push({ text: raw.trim(), problem: 'an unterminated quoted string' });
      continue;
    }
    for (const part of line.split(/,(?=\s|$)|[{}]/)) if (part.trim() !== '') result.push({ text: part.trim().replace(/\s+/g, ' ') });
  }
  return result;
}

/** Why a statement is a transition (the lines compile wrote are taken out before), or undefined. */
function strangerTransition(statement: string): string | undefined {
  const words = statement.split(' ');
  const start = words.findIndex((word) => !['audit', 'allow', 'deny', 'owner'].includes(word));
  const denied = words.slice(0, start).includes('deny');
  const keyword = words[start] ?? '';
  if (/^\^|^hat$/.test(keyword) || (keyword === 'profile' && start === 0)) return undefined; // -N lists these
  if (keyword === 'change_profile' || keyword === 'change_hat') return denied ? undefined : `${keyword} (moves to another profile)`;
  if (keyword === 'set' || keyword === 'rlimit' || words.includes('rlimit')) return 'an rlimit';
  if (keyword === 'pivot_root' && words.includes('->') && !denied) return 'pivot_root to a profile';
  if (words.some((word) => MODE_WORD.test(word) && TRANSITION_MODE.test(word)) && !denied) return 'an exec transition to another profile';
  if (words.includes('->') && !denied && !['link', 'mount', 'remount', 'umount', 'pivot_root'].includes(keyword) && !words.some((word) => MODE_WORD.test(word) && /l/.test(word) && !/x/i.test(word))) {
    return 'an exec transition to another profile ("->")';
  }
  return undefined;
}

/**
 * The first statement of the expanded text that is a transition compile did not write, and why. `written` counts
 * each written line: a line may appear as often as compile wrote it, never more (so in a batch of profiles one
 * profile's `/bin/grep cx -> child_0,` does not excuse the same line in another).
 */
export function strangerStatement(preprocessed: string, written: readonly string[]): string | undefined {
  const left = new Map<string, number>();
  for (const line of written) left.set(line, (left.get(line) ?? 0) + 1);
  for (const statement of statements(preprocessed)) {
    const line = `${statement.text},`;
    const count = left.get(line) ?? 0;
    if (!statement.problem && count > 0) {
      left.set(line, count - 1);
      continue;
    }
    const why = statement.problem ?? strangerTransition(statement.text);
    if (why) return `the compiled rules hold ${why} that armorkit did not write: ${statement.text}`;
  }
  return undefined;
}

/** Runs `apparmor_parser -p` on exactly `text` and refuses any transition compile did not write. */
export async function checkTransitions(parser: string, text: string, expected: ExpectedProfiles): Promise<PolicyError[]> {
  const { run } = await checkTexts(parser, [text], ['-p']);
  const fail = (message: string) => [policyError('apparmor-transitions', '', `profile ${expected.profileName}: ${message}`)];
  if (run.code !== 0) return fail(`apparmor_parser -p could not expand the profile (status ${run.code})`);
  const stranger = strangerStatement(run.stdout, expected.transitions);
  return stranger ? fail(stranger) : [];
}
