import { PATH_VARIABLES } from './vocabulary.js';

// What a value may hold at each place of a statement. The charsets are small on purpose: the printer writes a value
// bare only when it is in BARE_PATH or one of the name charsets, which both lexers end at a blank or the rule's comma.

/** Path characters: globs (`* ? [ ] { } ,` `^`), variables `@{…}`, a few punctuation marks; a blank, `#`, `<` and `>` only quoted. */
const PATH_CHARACTERS = /^[A-Za-z0-9_\-./*?[\]{},@+:~^%#<> ]+$/;

/** Paths printed without quotes: no blank, comma, `#` or variable (those are printed inside double quotes). */
export const BARE_PATH = /^\/[A-Za-z0-9_\-./*?[\]{}+:~^%]*$/;

/** Profile labels (`peer=`, change_profile and pivot_root targets): a name, a `//` child, globs; no blanks or quotes. */
const LABEL = /^[A-Za-z0-9_/*][A-Za-z0-9_\-./*?+:]*$/;

/** File system types, D-Bus bus names, interfaces, members and names, device sources of mount rules. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_\-.*?+:]*$/;

/** Why `value` is not a path, or undefined. */
export function pathProblem(value: string): string | undefined {
  const shown = JSON.stringify(value);
  if (!value.startsWith('/') && !value.startsWith('@{')) return `${shown} is not a path (a path starts with "/" or "@{")`;
  if (!PATH_CHARACTERS.test(value)) {
    const bad = [...value].find((c) => !PATH_CHARACTERS.test(c)) ?? '';
    return `${shown}: the character ${JSON.stringify(bad)} is not allowed in a path`;
  }
  if (value.includes('{{') || value.includes('}}')) return `${shown}: "{{" and "}}" are template syntax, not AppArmor`;
  return variablesProblem(value) ?? globProblem(value);
}

/** `@` only in `@{NAME}` with a NAME tunables/global defines. */
function variablesProblem(value: string): string | undefined {
  for (let at = value.indexOf('@'); at >= 0; at = value.indexOf('@', at + 1)) {
    const name = /^@\{([A-Za-z][A-Za-z0-9_]*)\}/.exec(value.slice(at))?.[1];
    if (name === undefined) return `${JSON.stringify(value)}: "@" may only start a variable such as @{PROC}`;
    if (!PATH_VARIABLES.has(name)) return `${JSON.stringify(value)}: the variable @{${name}} is not one of ${[...PATH_VARIABLES].map((v) => `@{${v}}`).join(', ')}`;
  }
  return undefined;
}

/** `{a,b}` alternations balanced with no empty alternative, `[…]` classes closed and holding plain characters. */
function globProblem(value: string): string | undefined {
  const shown = JSON.stringify(value);
  // For each open alternation, how many commas it has: apparmor_parser refuses `{a}` (one alternative).
  const alternatives: number[] = [];
  let start = 0;
  for (let k = 0; k < value.length; k++) {
    const c = value[k];
    if (c === '@' && value[k + 1] === '{') {
      k = value.indexOf('}', k);
      start = k + 1;
    } else if (c === '{') {
      alternatives.push(0);
      start = k + 1;
    } else if (c === ',' || c === '}') {
      if (alternatives.length === 0) return c === ',' ? `${shown}: "," outside a {…} alternation` : `${shown}: unbalanced "}"`;
      if (k === start) return `${shown}: an empty alternative in {…}`;
      if (c === ',') alternatives[alternatives.length - 1] = (alternatives[alternatives.length - 1] ?? 0) + 1;
      else if (alternatives.pop() === 0) return `${shown}: a {…} alternation needs at least two alternatives ({a,b})`;
      start = k + 1;
    } else if (c === '[') {
      const close = value.indexOf(']', k + 1);
      const inside = close < 0 ? '' : value.slice(k + 1, close);
      // apparmor_parser fails on `[a-]`, `[^]`, `[]]`: a class is letters, digits, `_` `.` and ranges `a-z`.
      if (!/^\^?(?:[A-Za-z0-9_.]-[A-Za-z0-9_.]|[A-Za-z0-9_.])+$/.test(inside)) return `${shown}: a "[…]" class holds letters, digits, _ . and ranges such as a-z`;
      k = close;
    } else if (c === ']') {
      return `${shown}: unbalanced "]"`;
    }
  }
  return alternatives.length > 0 ? `${shown}: unbalanced "{"` : undefined;
}

export function labelProblem(value: string, what: string): string | undefined {
  return LABEL.test(value) && !value.endsWith('/') ? undefined : `${JSON.stringify(value)} is not a profile name for ${what} (letters, digits and _ - . / * ? + :)`;
}

export function nameProblem(value: string, what: string): string | undefined {
  return NAME.test(value) ? undefined : `${JSON.stringify(value)} is not a valid ${what} (letters, digits and _ - . * ? + :)`;
}
