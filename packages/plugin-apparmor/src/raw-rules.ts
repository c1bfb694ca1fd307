import { type AppArmorRawRule, type PolicyError, policyError } from '@armorkit/core';

// Raw rules are pasted into a profile armorkit generates, so a raw rule must stay a rule: it may not end the
// profile, open another profile or hat, move the task to another profile, pull in arbitrary files, or carry syntax
// that would be interpreted by a later stage. apparmor_parser then checks the whole profile (verify).

/** Leading words that only change how a rule is logged or matched. */
const QUALIFIERS = new Set(['audit', 'deny', 'allow', 'owner', 'quiet', 'kill', 'complain', 'prompt', 'other']);

/** Statements that move the task elsewhere or change the profile itself rather than adding a rule. */
const FORBIDDEN_KEYWORDS: Record<string, string> = {
  profile: 'a raw rule cannot declare a profile',
  hat: 'a raw rule cannot declare a hat',
  change_profile: 'a raw rule cannot change to another profile (change_profile)',
  change_hat: 'a raw rule cannot change hats (change_hat)',
  abi: 'the ABI is set by the profile, not by a raw rule',
  alias: 'path aliases apply to the whole profile set; a raw rule cannot declare one',
  set: 'rlimits and other "set" statements belong to the profile, not to a raw rule',
  rlimit: 'rlimits belong to the profile, not to a raw rule',
};

/** Rules whose `->` names a path, not a profile to change to. */
const ARROW_PATH_RULES = new Set(['mount', 'remount', 'umount', 'unmount', 'pivot_root', 'link']);

/** A token made of file permission letters that names an exec transition (px, Px, cx, Cx, ux, Ux, pix, cux, ...). */
const PERMISSION_TOKEN = /^[rwaklmixpcuPCUI]+$/;
const TRANSITION_LETTER = /[pcuPCU]/;

export interface RawRuleProblem {
  /** 1-based line inside the raw rule text. */
  line: number;
  message: string;
}

/** Checks one raw rule text; returns every problem with its line. */
export function checkRawRuleText(text: string): RawRuleProblem[] {
  const problems: RawRuleProblem[] = [];
  text.split('\n').forEach((line, i) => {
    const message = checkLine(line);
    if (message) problems.push({ line: i + 1, message });
  });
  return problems;
}

/** Checks a plan's raw rules; each problem points at the policy field and names the line inside it. */
export function checkRawRules(rawRules: readonly AppArmorRawRule[]): PolicyError[] {
  return rawRules.flatMap((raw) =>
    checkRawRuleText(raw.rules).map((problem) =>
      policyError('apparmor-raw-rule', raw.pointer, `line ${problem.line}: ${problem.message}`, raw.rules.split('\n')[problem.line - 1]),
    ),
  );
}

function checkLine(line: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029]/.exec(line);
  if (control) {
    const code = control[0].codePointAt(0) ?? 0;
    return code === 0 ? 'null byte' : `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  if (line.includes('{{') || line.includes('}}')) return 'template syntax ("{{" or "}}") is not allowed';
  const trimmed = line.trim();
  if (trimmed === '') return undefined;

  const include = /^#?\s*include(\s+if\s+exists)?\s*(.*)$/.exec(trimmed);
  if (include && (trimmed.startsWith('#include') || trimmed.startsWith('include') || trimmed.startsWith('# include'))) {
    const target = (include[2] ?? '').trim();
    if (!/^<abstractions\/[A-Za-z0-9_.+-]+(\/[A-Za-z0-9_.+-]+)*>$/.test(target) || target.includes('..')) {
      return `only "<abstractions/...>" may be included, not ${target || 'nothing'}`;
    }
    return undefined;
  }
  if (trimmed.startsWith('#')) return undefined;

  const scanned = scanStatement(trimmed);
  if (typeof scanned === 'string') return scanned;
  const { statement } = scanned;
  if (statement === '') return undefined;
  if (!statement.endsWith(',')) return 'a rule must end with a comma';
  if (/^@\{[^}]*\}\s*\+?=/.test(statement)) return 'variable assignments are not allowed in raw rules';
  if (statement.startsWith('^')) return 'a raw rule cannot declare a hat';

  const words = statement.slice(0, -1).trim().split(/\s+/);
  let first = 0;
  while (first < words.length && QUALIFIERS.has(words[first] ?? '')) first++;
  const keyword = (words[first] ?? '').replace(/[,(].*$/, '');
  const forbidden = FORBIDDEN_KEYWORDS[keyword];
  if (forbidden) return forbidden;

  if (statement.includes('->') && !ARROW_PATH_RULES.has(keyword)) {
    return 'exec transitions to another profile ("->") are not allowed';
  }
  const isFileRule = keyword === 'file' || /^[/@"]/.test(keyword) || PERMISSION_TOKEN.test(keyword);
  if (isFileRule) {
    for (const word of words.slice(first)) {
      const token = word.replace(/,$/, '');
      if (PERMISSION_TOKEN.test(token) && TRANSITION_LETTER.test(token)) {
        return `exec transition "${token}" is not allowed (use ix, or deny x)`;
      }
    }
  }
  return undefined;
}

/**
 * Removes a trailing comment and checks braces: `{a,b}` alternations inside a path are fine; a `{` that opens a
 * block or a `}` that closes one would change the profile's structure. Quoted text is taken literally.
 */
function scanStatement(line: string): { statement: string } | string {
  let depth = 0;
  let quoted = false;
  let end = line.length;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    if (quoted) continue;
    const previous = i === 0 ? ' ' : (line[i - 1] ?? ' ');
    if (c === '#' && /\s/.test(previous)) {
      end = i;
      break;
    }
    if (c === '{') {
      if (/[\s,]/.test(previous) && depth === 0) return '"{" would open a block (a profile or hat) inside the profile';
      depth++;
    } else if (c === '}') {
      if (depth === 0) return '"}" would close the profile';
      depth--;
    }
  }
  if (quoted) return 'unterminated quoted string';
  if (depth > 0) return 'unbalanced "{"';
  return { statement: line.slice(0, end).trim() };
}
