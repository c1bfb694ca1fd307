import { type Condition, atCondition, atPeerList, readCondition, readList, readPairList, sortedUnique } from './conditions.js';
import { type Cursor, describeToken } from './cursor.js';
import type { Token } from './lexer.js';
import { type Prefix, refuseOwner } from './qualifiers.js';
import type { DbusRule, Position, PtraceRule, SignalRule, UnixRule } from './tree.js';
import { labelProblem, nameProblem, pathProblem } from './values.js';
import { DBUS_PERMISSIONS, PTRACE_PERMISSIONS, REALTIME_SIGNAL, SIGNALS, SIGNAL_PERMISSIONS, UNIX_PERMISSIONS, UNIX_TYPES } from './vocabulary.js';

// signal, ptrace, unix and dbus rules: `RULE [PERMISSION | (PERMISSIONS)] [key=value …] [peer=…]`. Permissions and
// names come from closed lists; peers are labels (profile names), never something that could start a statement.

/** `send` or `(send, receive)`, from the rule's list. */
function readPermissions(cursor: Cursor, rule: string, allowed: ReadonlySet<string>): string[] {
  const first = cursor.peek();
  const check = (text: string, token: Token) => {
    if (!allowed.has(text)) cursor.fail(`"${text}" is not a ${rule} permission (${[...allowed].join(', ')})`, token);
    return text;
  };
  if (first?.kind === 'open') return sortedUnique(readList(cursor, `${rule} permissions`).map((v) => check(v.text, v.token)));
  if (first?.kind === 'word' && !atCondition(cursor)) {
    cursor.next();
    return [check(first.text, first)];
  }
  return [];
}

/** The rule's `key=value` conditions, each at most once, the keys it knows only; `peer=(…)` stays for the caller. */
function readConditions(cursor: Cursor, rule: string, keys: readonly string[]): Map<string, Condition> {
  const found = new Map<string, Condition>();
  while (atCondition(cursor) && !(cursor.isWord('peer') && cursor.peek(2)?.kind === 'open' && !keys.includes('peer'))) {
    const condition = readCondition(cursor);
    if (!keys.includes(condition.key)) cursor.fail(`"${condition.key}" is not a ${rule} condition (${keys.join(', ')})`, condition.keyToken);
    if (condition.operator !== '=') cursor.fail(`write "${condition.key}=…" in a ${rule} rule`, condition.keyToken);
    if (found.has(condition.key)) cursor.fail(`"${condition.key}=" is given twice`, condition.keyToken);
    found.set(condition.key, condition);
  }
  return found;
}

/** One value, not a list; checked by `check`. */
function single(cursor: Cursor, condition: Condition | undefined, check: (text: string) => string | undefined): string | undefined {
  if (!condition) return undefined;
  const [value] = condition.values;
  if (condition.list || !value) cursor.fail(`"${condition.key}=" takes one value, not a list`, condition.keyToken);
  const problem = check(value.text);
  if (problem) cursor.fail(problem, value.token);
  return value.text;
}

function end(cursor: Cursor, rule: string): void {
  const extra = cursor.peek();
  if (extra?.kind === 'arrow') cursor.fail(`unexpected "->" in a ${rule} rule`, extra);
  if (extra) cursor.fail(`unexpected ${describeToken(extra)} in a ${rule} rule`, extra);
}

export function readSignalRule(cursor: Cursor, prefix: Prefix, at: Position): SignalRule {
  refuseOwner(cursor, prefix, 'signal');
  cursor.next();
  const permissions = readPermissions(cursor, 'signal', SIGNAL_PERMISSIONS);
  const conditions = readConditions(cursor, 'signal', ['set', 'peer']);
  end(cursor, 'signal');
  const signals = (conditions.get('set')?.values ?? []).map((value) => {
    if (!SIGNALS.has(value.text) && !REALTIME_SIGNAL.test(value.text)) cursor.fail(`"${value.text}" is not a signal name (hup, int, kill, term, usr1, rtmin+0, …)`, value.token);
    return value.text;
  });
  const peer = single(cursor, conditions.get('peer'), (text) => labelProblem(text, 'peer='));
  return { kind: 'signal', ...at, audit: prefix.audit, deny: prefix.deny, permissions, signals: sortedUnique(signals), ...(peer ? { peer } : {}) };
}

export function readPtraceRule(cursor: Cursor, prefix: Prefix, at: Position): PtraceRule {
  refuseOwner(cursor, prefix, 'ptrace');
  cursor.next();
  const permissions = readPermissions(cursor, 'ptrace', PTRACE_PERMISSIONS);
  const conditions = readConditions(cursor, 'ptrace', ['peer']);
  end(cursor, 'ptrace');
  const peer = single(cursor, conditions.get('peer'), (text) => labelProblem(text, 'peer='));
  return { kind: 'ptrace', ...at, audit: prefix.audit, deny: prefix.deny, permissions, ...(peer ? { peer } : {}) };
}

/** An abstract socket name (`@name`): apparmor_parser 3.0 refuses socket paths in addr=. */
function addressProblem(text: string): string | undefined {
  if (text.startsWith('@')) return nameProblem(text.slice(1), 'abstract socket name after "@"');
  return `${JSON.stringify(text)} is not an abstract socket address (@name; apparmor_parser 3.0 takes no paths here)`;
}

export function readUnixRule(cursor: Cursor, prefix: Prefix, at: Position): UnixRule {
  refuseOwner(cursor, prefix, 'unix');
  cursor.next();
  const permissions = readPermissions(cursor, 'unix', UNIX_PERMISSIONS);
  const conditions = readConditions(cursor, 'unix', ['type', 'addr']);
  const rule: UnixRule = { kind: 'unix', ...at, audit: prefix.audit, deny: prefix.deny, permissions };
  const type = single(cursor, conditions.get('type'), (text) => (UNIX_TYPES.has(text) ? undefined : `"${text}" is not a unix socket type (${[...UNIX_TYPES].join(', ')})`));
  const address = single(cursor, conditions.get('addr'), addressProblem);
  if (type) rule.type = type;
  if (address) rule.address = address;
  if (atPeerList(cursor)) {
    cursor.next();
    cursor.next();
    const pairs = readPairList(cursor, 'peer=(…)');
    const peer: NonNullable<UnixRule['peer']> = {};
    for (const [key, value] of pairs) {
      const problem = key === 'label' ? labelProblem(value.text, 'peer=(label=…)') : key === 'addr' ? addressProblem(value.text) : `"${key}" is not a unix peer condition (label, addr)`;
      if (problem) cursor.fail(problem, value.token);
      if (key === 'label') peer.label = value.text;
      else peer.address = value.text;
    }
    rule.peer = peer;
  }
  end(cursor, 'unix');
  return rule;
}

const DBUS_NAME = (what: string) => (text: string) => nameProblem(text, what);

export function readDbusRule(cursor: Cursor, prefix: Prefix, at: Position): DbusRule {
  refuseOwner(cursor, prefix, 'dbus');
  cursor.next();
  const permissions = readPermissions(cursor, 'dbus', DBUS_PERMISSIONS);
  const conditions = readConditions(cursor, 'dbus', ['bus', 'name', 'path', 'interface', 'member']);
  const rule: DbusRule = { kind: 'dbus', ...at, audit: prefix.audit, deny: prefix.deny, permissions };
  const bus = single(cursor, conditions.get('bus'), DBUS_NAME('bus name'));
  const name = single(cursor, conditions.get('name'), DBUS_NAME('D-Bus name'));
  const path = single(cursor, conditions.get('path'), pathProblem);
  const iface = single(cursor, conditions.get('interface'), DBUS_NAME('D-Bus interface'));
  const member = single(cursor, conditions.get('member'), DBUS_NAME('D-Bus member'));
  if (bus) rule.bus = bus;
  if (name) rule.name = name;
  if (path) rule.path = path;
  if (iface) rule.interface = iface;
  if (member) rule.member = member;
  if (atPeerList(cursor)) {
    cursor.next();
    cursor.next();
    const peer: NonNullable<DbusRule['peer']> = {};
    for (const [key, value] of readPairList(cursor, 'peer=(…)')) {
      const problem = key === 'label' ? labelProblem(value.text, 'peer=(label=…)') : key === 'name' ? nameProblem(value.text, 'D-Bus name') : `"${key}" is not a dbus peer condition (name, label)`;
      if (problem) cursor.fail(problem, value.token);
      if (key === 'label') peer.label = value.text;
      else peer.name = value.text;
    }
    rule.peer = peer;
  }
  end(cursor, 'dbus');
  const message = rule.path !== undefined || rule.interface !== undefined || rule.member !== undefined || rule.peer !== undefined;
  const binds = permissions.includes('bind');
  if (binds && (message || permissions.some((p) => p !== 'bind'))) cursor.fail('a dbus bind rule takes only bus= and name=', at);
  if (rule.name !== undefined && !binds) cursor.fail('name= belongs to dbus bind rules (use peer=(name=…) for messages)', at);
  if (permissions.includes('eavesdrop') && (message || rule.name !== undefined)) cursor.fail('a dbus eavesdrop rule takes only bus=', at);
  return rule;
}
