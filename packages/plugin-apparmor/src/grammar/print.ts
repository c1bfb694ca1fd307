import type { MountCondition, RawStatement } from './tree.js';
import { BARE_PATH } from './values.js';

// One canonical spelling per statement, written from the tree: one line, ending with ",". A path outside BARE_PATH
// is written in double quotes (it can hold neither `"` nor `\`, so both lexers end it at the same quote); every other
// value comes from a closed list or a charset both lexers end at a blank or the rule's comma.

export function printPath(path: string): string {
  return BARE_PATH.test(path) ? path : `"${path}"`;
}

function qualifiers(statement: { audit: boolean; deny: boolean; owner?: boolean; other?: true }): string {
  return `${statement.audit ? 'audit ' : ''}${statement.deny ? 'deny ' : ''}${statement.owner ? 'owner ' : ''}${statement.other ? 'other ' : ''}`;
}

const list = (values: readonly string[]) => `(${values.join(',')})`;

function condition(key: string, value: MountCondition): string {
  return value.operator === 'in' ? `${key} in ${list(value.values)}` : `${key}=${list(value.values)}`;
}

function words(head: string, parts: readonly (string | undefined | false)[]): string {
  return [head, ...parts.filter((part): part is string => typeof part === 'string' && part !== '')].join(' ') + ',';
}

const permissions = (values: readonly string[]) => (values.length > 0 ? list(values) : undefined);
const pairs = (entries: readonly [string, string | undefined][]) => {
  const present = entries.filter((entry): entry is [string, string] => entry[1] !== undefined);
  return present.length > 0 ? `peer=(${present.map(([key, value]) => `${key}=${value}`).join(', ')})` : undefined;
};

/** The canonical line of a statement (no indentation). */
export function printStatement(statement: RawStatement): string {
  switch (statement.kind) {
    case 'file':
      return statement.path === undefined ? `${qualifiers(statement)}file,` : `${qualifiers(statement)}${printPath(statement.path)} ${statement.permissions ?? ''},`;
    case 'link':
      return words(`${qualifiers(statement)}link`, [statement.subset && 'subset', printPath(statement.link), '->', printPath(statement.target)]);
    case 'capability':
      return words(`${qualifiers(statement)}capability`, statement.names);
    case 'network':
      return words(`${qualifiers(statement)}network`, [statement.domain, statement.type, statement.protocol]);
    case 'mount':
      return words(`${qualifiers(statement)}${statement.operation}`, [
        statement.fstype && condition('fstype', statement.fstype),
        statement.options && condition('options', statement.options),
        statement.source !== undefined && (statement.source.startsWith('/') || statement.source.startsWith('@') ? printPath(statement.source) : statement.source),
        statement.mountpoint !== undefined && (statement.operation === 'mount' ? `-> ${printPath(statement.mountpoint)}` : printPath(statement.mountpoint)),
      ]);
    case 'signal':
      return words(`${qualifiers(statement)}signal`, [
        permissions(statement.permissions),
        statement.signals.length > 0 && `set=${list(statement.signals)}`,
        statement.peer !== undefined && `peer=${statement.peer}`,
      ]);
    case 'ptrace':
      return words(`${qualifiers(statement)}ptrace`, [permissions(statement.permissions), statement.peer !== undefined && `peer=${statement.peer}`]);
    case 'unix':
      return words(`${qualifiers(statement)}unix`, [
        permissions(statement.permissions),
        statement.type !== undefined && `type=${statement.type}`,
        statement.address !== undefined && `addr=${printAddress(statement.address)}`,
        statement.peer && pairs([['label', statement.peer.label], ['addr', statement.peer.address === undefined ? undefined : printAddress(statement.peer.address)]]),
      ]);
    case 'dbus':
      return words(`${qualifiers(statement)}dbus`, [
        permissions(statement.permissions),
        statement.bus !== undefined && `bus=${statement.bus}`,
        statement.name !== undefined && `name=${statement.name}`,
        statement.path !== undefined && `path=${printPath(statement.path)}`,
        statement.interface !== undefined && `interface=${statement.interface}`,
        statement.member !== undefined && `member=${statement.member}`,
        statement.peer && pairs([['name', statement.peer.name], ['label', statement.peer.label]]),
      ]);
    case 'change_profile':
      return words(`${statement.audit ? 'audit ' : ''}deny change_profile`, [statement.exec !== undefined && printPath(statement.exec), statement.target !== undefined && `-> ${statement.target}`]);
    case 'pivot_root':
      return words(`${statement.audit ? 'audit ' : ''}deny pivot_root`, [
        statement.oldRoot !== undefined && `oldroot=${printPath(statement.oldRoot)}`,
        statement.newRoot !== undefined && printPath(statement.newRoot),
        statement.target !== undefined && `-> ${statement.target}`,
      ]);
    case 'include':
      return `include <abstractions/${statement.name}>`;
  }
}

function printAddress(address: string): string {
  return address.startsWith('@') ? address : printPath(address);
}
