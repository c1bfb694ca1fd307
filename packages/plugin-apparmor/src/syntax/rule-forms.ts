import type { Token } from './tokenize.js';

// The allow-list of rule forms a policy author may write, in raw rules and in a custom profile's body. A rule adds
// permissions to the profile it is in; nothing here can move a task to another profile, declare one, or change
// the profile set. Everything not listed is refused with a message naming what was found.

/** File permissions: read, write, append, lock, link, mmap-exec, and exec only as inherit (`ix`) or denied `x`. */
const FILE_PERMISSIONS = /^(?:[rwaklm]|ix|x)+$/;
/** Letters that name an exec transition to another profile (px, Cx, Ux, pix, PUx, ...). */
const TRANSITION_LETTER = /[pcuPCU]/;
const PERMISSION_LIKE = /^[rwaklmixpcuPCUIRWLMX]+$/;
const CAPABILITY_NAME = /^[a-z_]+$/;
const NETWORK_WORD = /^[a-z0-9_]+$/;

const QUALIFIER_ORDER = ['audit', 'allow', 'deny', 'owner'] as const;

/** AppArmor 4 words the installed apparmor_parser (3.0) does not know. */
const APPARMOR_4 = new Set(['prompt', 'priority', 'quiet', 'kill', 'complain', 'other', 'userns', 'io_uring', 'mqueue', 'all']);

const FORBIDDEN: Record<string, string> = {
  profile: 'a rule cannot declare a profile',
  hat: 'a rule cannot declare a hat',
  change_profile: 'change_profile (moving to another profile) is only allowed as "deny change_profile"',
  pivot_root: 'pivot_root is only allowed as "deny pivot_root" (its "->" names a profile to change to)',
  change_hat: 'a rule cannot change hats (change_hat)',
  abi: 'the ABI is set by the profile, not by a rule',
  alias: 'path aliases apply to the whole profile set; a rule cannot declare one',
  set: 'rlimits and other "set" statements (set rlimit) are not allowed',
  rlimit: 'rlimits are not allowed',
  include: 'only "<abstractions/...>" may be included',
  if: 'conditionals are not allowed',
};

interface Qualifiers {
  audit: boolean;
  deny: boolean;
  owner: boolean;
}

/** Checks one rule (its tokens without the comma); returns what is wrong, or undefined. */
export function checkRule(tokens: readonly Token[]): string | undefined {
  const qualifiers: Qualifiers = { audit: false, deny: false, owner: false };
  let k = 0;
  let order = 0;
  for (; k < tokens.length; k++) {
    const token = tokens[k] as Token;
    if (token.kind !== 'word') break;
    const position = QUALIFIER_ORDER.indexOf(token.text as (typeof QUALIFIER_ORDER)[number]);
    if (position < 0) break;
    if (position < order || (token.text === 'deny' && order > 1) || (token.text === 'allow' && qualifiers.deny)) {
      return `qualifiers go in the order audit, allow or deny, owner (found "${token.text}" out of place)`;
    }
    order = position + 1;
    if (token.text === 'audit') qualifiers.audit = true;
    if (token.text === 'deny') qualifiers.deny = true;
    if (token.text === 'owner') qualifiers.owner = true;
  }
  const rest = tokens.slice(k);
  const first = rest[0];
  if (!first) return 'an empty rule (a comma with no rule before it)';
  if (first.kind === 'variable') return 'variable assignments are not allowed';
  if (first.kind === 'caret') return 'a rule cannot declare a hat';
  if (isPath(first)) return fileRule(rest, qualifiers);
  if (first.kind !== 'word') return `${describe(first)} cannot start a rule`;
  const keyword = first.text;
  if (rest[1]?.kind === 'equals' || rest[1]?.kind === 'add-assign') {
    return keyword === 'priority' ? 'rule priorities (priority=) are AppArmor 4 syntax; apparmor_parser 3.0 does not know them' : `"${keyword}=" cannot start a rule`;
  }
  if (APPARMOR_4.has(keyword)) return `"${keyword}" is AppArmor 4 syntax or not allowed; apparmor_parser 3.0 does not accept it`;
  if (PERMISSION_LIKE.test(keyword) && rest[1] && isPath(rest[1])) return fileRule([rest[1], first, ...rest.slice(2)], qualifiers);
  const args = rest.slice(1);
  switch (keyword) {
    case 'file':
      return args.length === 0 ? undefined : fileRule(args, qualifiers);
    case 'capability':
      if (qualifiers.owner) return '"owner" does not apply to capability rules';
      return args.every((t) => t.kind === 'word' && CAPABILITY_NAME.test(t.text)) ? undefined : `capability rules name capabilities only (found ${describe(args.find((t) => t.kind !== 'word' || !CAPABILITY_NAME.test(t.text)) as Token)})`;
    case 'network':
      if (qualifiers.owner) return '"owner" does not apply to network rules';
      if (args.length > 3 || !args.every((t) => t.kind === 'word' && NETWORK_WORD.test(t.text))) return 'network rules take at most a domain, a type and a protocol';
      return undefined;
    case 'mount':
    case 'remount':
    case 'umount':
      return mountRule(args);
    case 'signal':
    case 'ptrace':
    case 'unix':
    case 'dbus':
      return peerRule(keyword, args);
    case 'link':
      return linkRule(args);
    case 'change_profile':
    case 'pivot_root':
      return qualifiers.deny ? deniedTransition(keyword, args) : FORBIDDEN[keyword];
    default:
      return FORBIDDEN[keyword] ?? `"${keyword}" is not an allowed rule`;
  }
}

function isPath(token: Token): boolean {
  return token.kind === 'path' || (token.kind === 'string' && (token.value.startsWith('/') || token.value.startsWith('@{')));
}

function describe(token: Token): string {
  return token.kind === 'group' ? `"(…)"` : JSON.stringify(token.text);
}

/** `PATH PERMS` (the caller puts `PERMS PATH` in this order). */
function fileRule(tokens: readonly Token[], qualifiers: Qualifiers): string | undefined {
  if (tokens.some((t) => t.kind === 'arrow')) return 'exec transitions to another profile ("->") are not allowed';
  const [path, permissions, ...extra] = tokens;
  if (!path || !isPath(path)) return `a file rule starts with a path (found ${path ? describe(path) : 'nothing'})`;
  const problem = checkPathBraces(path.value);
  if (problem) return problem;
  if (!permissions || permissions.kind !== 'word') return `a file rule needs permissions after ${path.text}`;
  const letters = permissions.text;
  if (!FILE_PERMISSIONS.test(letters)) {
    if (PERMISSION_LIKE.test(letters) && TRANSITION_LETTER.test(letters)) return `exec transition "${letters}" is not allowed (use ix, or deny x)`;
    return `"${letters}" are not file permissions (r w a k l m ix, or x in a deny rule)`;
  }
  if (!qualifiers.deny && /(?:^|[^i])x/.test(letters)) return `"${letters}": an allowed exec needs ix (inherit); only a deny rule may use x alone`;
  if (extra.length > 0) return `unexpected ${describe(extra[0] as Token)} after the permissions`;
  return undefined;
}

/** `{a,b}` alternations must balance inside the path (apparmor_parser's glob rules), escaped braces aside. */
function checkPathBraces(path: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    if (depth < 0) return `unbalanced "}" in the path ${path}`;
  }
  return depth === 0 ? undefined : `unbalanced "{" in the path ${path}`;
}

/** mount/remount/umount: conditions, a source, and `-> mountpoint` naming a path (never a profile). */
function mountRule(args: readonly Token[]): string | undefined {
  let arrows = 0;
  for (let k = 0; k < args.length; k++) {
    const token = args[k] as Token;
    const next = args[k + 1];
    if (token.kind === 'arrow') {
      arrows++;
      if (arrows > 1 || !next || !isPath(next)) return 'a mount rule\'s "->" must be followed by a mount point path';
    } else if (token.kind === 'word' && next?.kind === 'equals') {
      const value = args[k + 2];
      if (!value || !['value', 'group', 'string'].includes(value.kind)) return `"${token.text}=" needs a value`;
      k += 2;
    } else if (token.kind === 'word' && next?.kind === 'word' && next.text === 'in') {
      if (args[k + 2]?.kind !== 'group') return `"${token.text} in" needs a list in parentheses`;
      k += 2;
    } else if (!(token.kind === 'word' || isPath(token) || token.kind === 'string')) {
      return `unexpected ${describe(token)} in a mount rule`;
    }
  }
  return undefined;
}

/** signal, ptrace, unix, dbus: permissions in parentheses and `name=value` conditions; no "->". */
function peerRule(keyword: string, args: readonly Token[]): string | undefined {
  for (let k = 0; k < args.length; k++) {
    const token = args[k] as Token;
    const next = args[k + 1];
    if (token.kind === 'word' && next?.kind === 'equals') {
      const value = args[k + 2];
      if (!value || !['value', 'group', 'string'].includes(value.kind)) return `"${token.text}=" needs a value`;
      k += 2;
    } else if (token.kind !== 'word' && token.kind !== 'group') {
      return `unexpected ${describe(token)} in a ${keyword} rule`;
    }
  }
  return undefined;
}

/** `link [subset] PATH -> PATH`. */
function linkRule(args: readonly Token[]): string | undefined {
  const rest = args[0]?.kind === 'word' && args[0].text === 'subset' ? args.slice(1) : args;
  const [from, arrow, to, ...extra] = rest;
  if (!from || !isPath(from) || arrow?.kind !== 'arrow' || !to || !isPath(to) || extra.length > 0) return 'a link rule is "link [subset] PATH -> PATH"';
  return checkPathBraces(from.value) ?? checkPathBraces(to.value);
}

/** `deny change_profile …` / `deny pivot_root …`: a denial names profiles and paths, nothing else. */
function deniedTransition(keyword: string, args: readonly Token[]): string | undefined {
  for (let k = 0; k < args.length; k++) {
    const token = args[k] as Token;
    if (token.kind === 'word' && args[k + 1]?.kind === 'equals') {
      const value = args[k + 2];
      if (!value || !['value', 'string'].includes(value.kind)) return `"${token.text}=" needs a value`;
      k += 2;
    } else if (!['word', 'path', 'label', 'string', 'arrow', 'value'].includes(token.kind)) {
      return `unexpected ${describe(token)} in a ${keyword} rule`;
    }
  }
  return undefined;
}
