import { type PolicyError, policyError } from '@armorkit/core';
import { ProfileText } from './profile-text.js';

/**
 * A DefenseInDepth custom profile is loaded as a whole with `apparmor_parser -r`, which would also replace any
 * other profile it declares. So it must declare exactly one top-level profile, named after the policy's profile,
 * and include only tunables and abstractions.
 */
export function checkCustomProfile(text: string, profileName: string, pointer: string): PolicyError[] {
  const errors: PolicyError[] = [];
  const fail = (line: number, message: string) => errors.push(policyError('apparmor-custom-profile', pointer, `line ${line}: ${message}`));
  let depth = 0;
  let declared = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(raw)) fail(n, 'control character');
    if (raw.includes('{{') || raw.includes('}}')) fail(n, 'template syntax ("{{" or "}}") is not allowed');
    const include = /^#?include(?:\s+if\s+exists)?\s+(\S+)/.exec(line);
    if (include && !/^<(tunables|abstractions)\/[A-Za-z0-9_.+/-]+>$/.test(include[1] ?? '') ) {
      fail(n, `only <tunables/...> and <abstractions/...> may be included, not ${include[1]}`);
    }
    if (line.startsWith('#')) return;
    const code = line.replace(/\s#.*$/, '');
    if (depth === 0 && code.endsWith('{')) {
      const opening = /^profile\s+(\S+)(\s|$)/.exec(code);
      if (!opening) fail(n, 'only "profile <name> ... {" may open a block at the top level');
      else if (opening[1] !== profileName) fail(n, `the profile must be named ${profileName}, not ${opening[1]}`);
      declared++;
    }
    for (const c of code.replace(/"[^"]*"/g, '')) {
      if (c === '{') depth++;
      else if (c === '}') depth--;
    }
    if (depth < 0) {
      fail(n, 'unbalanced "}"');
      depth = 0;
    }
  });
  if (declared === 0) errors.push(policyError('apparmor-custom-profile', pointer, `declares no "profile ${profileName}"`));
  if (declared > 1) errors.push(policyError('apparmor-custom-profile', pointer, `declares ${declared} profiles; only ${profileName} is allowed`));
  if (depth !== 0) errors.push(policyError('apparmor-custom-profile', pointer, 'unbalanced "{"'));
  return errors;
}

/** The custom profile text as a ProfileText whose lines point back at the policy field. */
export function customProfileText(text: string, pointer: string): ProfileText {
  const lines = text.replace(/\n+$/, '').split('\n');
  const profile = new ProfileText();
  lines.forEach((line, i) => profile.add(line, { pointer, source: `custom profile line ${i + 1}` }));
  return profile;
}
