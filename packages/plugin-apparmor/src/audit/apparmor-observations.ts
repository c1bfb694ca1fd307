import type { ViolationEvent } from '@armorkit/core/audit';
import type { BehaviorObservation } from '@armorkit/core/model';

// Operations whose record names a file or a socket (vArmor's preprocessor list, reference §5.3), besides file_* and inode_*.
const FILE_OR_SOCKET_OPERATIONS = new Set([
  'create', 'post_create', 'bind', 'connect', 'listen', 'accept', 'sendmsg', 'recvmsg', 'getsockname', 'getpeername', 'getsockopt',
  'setsockopt', 'socket_create', 'sock_shutdown', 'open', 'truncate', 'mkdir', 'mknod', 'chmod', 'chown', 'rename_src', 'rename_dest',
  'unlink', 'rmdir', 'symlink', 'symlink_create', 'link', 'sysctl', 'getattr', 'setattr', 'xattr',
]);
const MOUNT_OPERATIONS = new Set(['mount', 'umount', 'remount', 'pivotroot']);
// The letters a file rule can hold; create (c) and delete (d) are writes to AppArmor's rule language.
const FILE_LETTERS = new Set(['m', 'r', 'w', 'a', 'l', 'k']);

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** `denied_mask="rwc"` → `r`, `w` (c and d become w; letters a file rule cannot hold are dropped). */
function fileLetters(mask: string): string[] {
  const letters = new Set<string>();
  for (const letter of mask) {
    const mapped = letter === 'c' || letter === 'd' ? 'w' : letter;
    if (FILE_LETTERS.has(mapped)) letters.add(mapped);
  }
  return [...letters];
}

/** `flags="rw, nosuid, nodev"` → the names; umount has none and is named so. */
function mountFlags(operation: string, flags: string | undefined): string[] {
  if (operation === 'umount') return ['umount'];
  const names = (flags ?? '').split(/[,\s]+/).filter((name) => name !== '');
  return operation === 'remount' && !names.includes('remount') ? [...names, 'remount'] : names;
}

/**
 * An AppArmor record of a complain-mode profile (its fields as appArmorAuditRecord kept them) → what the workload did:
 * exec, file and socket accesses, capabilities, ptrace, signals, and mounts (which vArmor drops, its #307).
 */
export function appArmorObservations(event: ViolationEvent): BehaviorObservation[] {
  const record = event.event;
  const operation = text(record.operation) ?? '';
  if (operation === 'exec') {
    const name = text(record.name);
    return name ? [{ kind: 'execution', path: name }] : [];
  }
  if (operation === 'capable') {
    const name = text(record.capname);
    return name ? [{ kind: 'capability', name }] : [];
  }
  if (operation === 'ptrace') {
    const permissions = (text(record.denied_mask) ?? text(record.requested_mask) ?? '').split(/\s+/).filter(Boolean);
    const peer = text(record.peer);
    return [peer === undefined ? { kind: 'ptrace', permissions } : { kind: 'ptrace', peer, permissions }];
  }
  if (operation === 'signal') {
    const permissions = (text(record.denied_mask) ?? text(record.requested_mask) ?? '').split(/\s+/).filter(Boolean);
    const signal = text(record.signal) ?? (typeof record.signal_number === 'number' ? String(record.signal_number) : undefined);
    return [{ kind: 'signal', peer: text(record.peer) ?? 'unconfined', permissions, signals: signal ? [signal] : [] }];
  }
  if (MOUNT_OPERATIONS.has(operation)) {
    const path = text(record.name);
    if (!path) return [{ kind: 'unhandled', what: operation }];
    const type = text(record.fstype);
    const flags = mountFlags(operation, text(record.flags));
    return [type === undefined ? { kind: 'mount', path, flags } : { kind: 'mount', path, type, flags }];
  }
  if (operation.startsWith('file_') || operation.startsWith('inode_') || FILE_OR_SOCKET_OPERATIONS.has(operation)) {
    const family = text(record.family);
    const type = text(record.sock_type);
    if (family !== undefined && type !== undefined && record.protocol !== undefined) {
      return [{ kind: 'socket', domain: family, type, protocol: String(record.protocol) }];
    }
    const mask = text(record.denied_mask);
    const path = text(record.name);
    // A disconnected path (`info="Failed name lookup - disconnected path"`) names no file of the container.
    if (mask === undefined || path === undefined || !path.startsWith('/')) return [];
    const permissions = fileLetters(mask);
    if (permissions.length === 0) return [];
    const owner = typeof record.ouid === 'number' && record.ouid === record.fsuid;
    return [{ kind: 'file', path, permissions, owner }];
  }
  return operation === '' ? [] : [{ kind: 'unhandled', what: operation }];
}
