import { type PolicyError, policyError } from '@armorkit/core';
import { checkInclude } from '../syntax/includes.js';
import { checkRule } from '../syntax/rule-forms.js';
import { type Statement, readStatements } from '../syntax/statements.js';
import type { Token } from '../syntax/tokenize.js';
import { ProfileText } from './profile-text.js';

/** Profile flags a custom profile may set; `unconfined` (and AppArmor 4's `prompt`, `kill`, ...) may not. */
const ALLOWED_FLAGS = new Set([
  'attach_disconnected',
  'no_attach_disconnected',
  'mediate_deleted',
  'delegate_deleted',
  'chroot_relative',
  'namespace_relative',
  'chroot_attach',
  'chroot_no_attach',
  'complain',
  'audit',
]);

/**
 * A DefenseInDepth custom profile is loaded as a whole with `apparmor_parser -r`, which would also replace any
 * other profile it declares. So it is: a preamble of `abi <abi/3.0>,` and `#include <tunables/global>`, exactly one
 * `profile <profileName> [flags=(...)] {` without attachment, whose body holds the rule forms raw rules may use
 * and `<abstractions/...>` includes, and nothing after its `}`. No child profiles or hats: armorkit adds the child
 * profiles for targets itself, and a transition into a child would need an exec transition rule.
 */
export function checkCustomProfile(text: string, profileName: string, pointer: string): PolicyError[] {
  const fail = (line: number, message: string) => policyError('apparmor-custom-profile', pointer, `line ${line}: ${message}`);
  const read = readStatements(text);
  if (read.error) return [fail(read.error.line, read.error.message)];
  const errors: PolicyError[] = [];
  let state: 'preamble' | 'body' | 'after' = 'preamble';
  // Blocks refused inside or after the profile are skipped to their "}", so one mistake gives one error.
  let refusedDepth = 0;
  for (const statement of read.statements) {
    if (refusedDepth > 0) {
      if (statement.kind === 'open') refusedDepth++;
      else if (statement.kind === 'close') refusedDepth--;
      continue;
    }
    const message = state === 'body' ? bodyProblem(statement) : topLevelProblem(statement, profileName, state === 'after');
    if (message) errors.push(fail(statement.line, message));
    if (statement.kind === 'open' && state === 'preamble') state = 'body';
    else if (statement.kind === 'open') refusedDepth = 1;
    else if (statement.kind === 'close' && state === 'body') state = 'after';
  }
  if (state === 'preamble' && errors.length === 0) errors.push(policyError('apparmor-custom-profile', pointer, `declares no "profile ${profileName}"`));
  if (state === 'body') errors.push(policyError('apparmor-custom-profile', pointer, `the profile ${profileName} is not closed (unbalanced "{")`));
  return errors;
}

function topLevelProblem(statement: Statement, profileName: string, after: boolean): string | undefined {
  switch (statement.kind) {
    case 'include':
      return after ? 'nothing may follow the profile' : checkInclude(statement.include, ['tunables/global']);
    case 'close':
      return 'unbalanced "}"';
    case 'rule': {
      const [first, second, ...rest] = statement.tokens;
      if (!after && first?.text === 'abi' && second?.kind === 'angle' && second.text === '<abi/3.0>' && rest.length === 0) return undefined;
      return after ? `only one profile may be declared (${profileName}); found a rule after its "}"` : 'only "abi <abi/3.0>," and "#include <tunables/global>" may come before the profile';
    }
    case 'open':
      if (after) return `declares a second profile; only ${profileName} is allowed`;
      return headerProblem(statement.tokens, profileName);
  }
}

/** `profile NAME [flags=(...)]`: the policy's name, no attachment, only allowed flags. */
function headerProblem(tokens: readonly Token[], profileName: string): string | undefined {
  const [keyword, name, ...rest] = tokens;
  if (keyword?.kind !== 'word' || keyword.text !== 'profile') return `only "profile ${profileName} flags=(...) {" may open a block at the top level`;
  const written = name?.kind === 'string' ? name.value : name?.text;
  if (!name || (name.kind !== 'value' && name.kind !== 'string')) return `the profile needs a name (${profileName})`;
  if (written !== profileName) return `the profile must be named ${profileName}, not ${written}`;
  if (rest.length === 0) return undefined;
  const [flags, equals, value, ...extra] = rest;
  if (flags?.kind !== 'word' || flags.text !== 'flags' || equals?.kind !== 'equals') {
    return `the profile may not have an attachment (${rest[0]?.text ?? ''}): vArmor profiles attach by name, never to host executables`;
  }
  if (extra.length > 0) return `unexpected ${extra[0]?.text ?? ''} after the flags`;
  const list = value?.kind === 'group' ? value.items : value?.kind === 'value' ? value.text.split(',') : [];
  if (list.length === 0) return 'flags=(...) needs flags';
  const refused = list.find((flag) => !ALLOWED_FLAGS.has(flag));
  return refused === undefined ? undefined : `the profile flag "${refused}" is not allowed (allowed: ${[...ALLOWED_FLAGS].join(', ')})`;
}

function bodyProblem(statement: Statement): string | undefined {
  switch (statement.kind) {
    case 'include':
      return checkInclude(statement.include, ['abstractions']);
    case 'close':
      return undefined;
    case 'open':
      return 'child profiles and hats are not allowed in a custom profile (armorkit adds the child profiles for targets)';
    case 'rule':
      return checkRule(statement.tokens);
  }
}

/** The custom profile text as a ProfileText whose lines point back at the policy field. */
export function customProfileText(text: string, pointer: string): ProfileText {
  const lines = text.replace(/\n+$/, '').split('\n');
  const profile = new ProfileText();
  lines.forEach((line, i) => profile.add(line, { pointer, source: `custom profile line ${i + 1}` }));
  return profile;
}
