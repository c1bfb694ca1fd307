import type { Cursor } from './cursor.js';
import type { Token } from './lexer.js';
import type { Prefix } from './qualifiers.js';
import type { FileRule, LinkRule, Position } from './tree.js';
import { pathProblem } from './values.js';

/** Letters that look like file permissions, exec transitions included (so they get a precise refusal). */
const PERMISSION_LIKE = /^[rwaklmixpcuPCUIRWLMXA]+$/;

export function isPathToken(token: Token | undefined): boolean {
  return token !== undefined && (token.kind === 'word' || token.kind === 'quoted') && (token.text.startsWith('/') || token.text.startsWith('@{'));
}

export function isPermissionsToken(token: Token | undefined): boolean {
  return token?.kind === 'word' && PERMISSION_LIKE.test(token.text);
}

export function readPath(cursor: Cursor, what: string): string {
  const token = cursor.next();
  if (!token || (token.kind !== 'word' && token.kind !== 'quoted')) cursor.fail(`${what} needs a path`, token);
  const problem = pathProblem(token.text);
  if (problem) cursor.fail(problem, token);
  return token.text;
}

/** `[file] PATH PERMISSIONS`, `[file] PERMISSIONS PATH`, or `file` alone (every file). */
export function readFileRule(cursor: Cursor, prefix: Prefix, at: Position): FileRule {
  const keyword = cursor.isWord('file');
  if (keyword) cursor.next();
  const base = { kind: 'file' as const, ...at, audit: prefix.audit, deny: prefix.deny, owner: prefix.owner, ...(prefix.other ? { other: true as const } : {}) };
  if (keyword && cursor.done()) {
    if (prefix.deny) cursor.fail('apparmor_parser 3.0 refuses "deny file," (write the paths to deny)', at);
    return base;
  }
  let path: string;
  let permissionsToken: Token | undefined;
  if (isPathToken(cursor.peek())) {
    path = readPath(cursor, 'a file rule');
    permissionsToken = cursor.next();
  } else {
    permissionsToken = cursor.next();
    if (!isPathToken(cursor.peek())) cursor.fail(`a file rule is "PATH PERMISSIONS," (found ${JSON.stringify(permissionsToken?.text ?? '')} without a path)`, permissionsToken);
    path = readPath(cursor, 'a file rule');
  }
  if (!permissionsToken || permissionsToken.kind !== 'word') cursor.fail(`a file rule needs permissions after ${JSON.stringify(path)}`, permissionsToken);
  const permissions = filePermissions(cursor, permissionsToken, prefix.deny);
  if (cursor.peek()?.kind === 'arrow') cursor.fail('exec transitions to another profile ("->") are not allowed');
  cursor.finish('a file rule');
  return { ...base, path, permissions };
}

/** r w a m k l, and exec as `ix` (inherit) or, in a deny rule, `x`; printed in that order. */
function filePermissions(cursor: Cursor, token: Token, deny: boolean): string {
  const letters = token.text;
  if (/[pcuPCU]/.test(letters) && /x/i.test(letters) && PERMISSION_LIKE.test(letters)) {
    cursor.fail(`exec transition "${letters}" is not allowed (use ix, or deny x)`, token);
  }
  if (!/^(?:[rwamkl]|ix|x)+$/.test(letters)) cursor.fail(`"${letters}" are not file permissions (r w a m k l ix, or x in a deny rule)`, token);
  const has = (letter: string) => letters.replace('ix', 'I').includes(letter);
  if (has('w') && has('a')) cursor.fail(`"${letters}": w (write) and a (append) exclude each other`, token);
  if (has('I') && deny) cursor.fail(`"${letters}": a deny rule takes x, not ix`, token);
  if (has('x') && !deny) cursor.fail(`"${letters}": an allowed exec needs ix (inherit); only a deny rule may use x alone`, token);
  if (has('I') && has('x')) cursor.fail(`"${letters}": give the exec permission once`, token);
  return ['r', 'w', 'a', 'm', 'k', 'l'].filter(has).join('') + (has('I') ? 'ix' : has('x') ? 'x' : '');
}

/** `link [subset] PATH -> PATH`. */
export function readLinkRule(cursor: Cursor, prefix: Prefix, at: Position): LinkRule {
  if (prefix.other) cursor.fail('"other" does not apply to link rules');
  cursor.next();
  const subset = cursor.isWord('subset');
  if (subset) cursor.next();
  const link = readPath(cursor, 'a link rule');
  if (cursor.next()?.kind !== 'arrow') cursor.fail('a link rule is "link [subset] PATH -> PATH"');
  const target = readPath(cursor, 'a link rule\'s "->"');
  if (cursor.peek()?.kind === 'arrow') cursor.fail('a link rule is "link [subset] PATH -> PATH" (one "->")');
  cursor.finish('a link rule');
  return { kind: 'link', ...at, audit: prefix.audit, deny: prefix.deny, owner: prefix.owner, subset, link, target };
}
