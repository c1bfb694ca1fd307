import { addressBytes, matchAddress, type AddressBytes } from './compile/addresses.js';
import { EXISTING_MOUNT_FLAGS, MAY_UMOUNT, MS_MOVE } from './compile/mount-flags.js';
import { matchPathPattern } from './compile/path-pattern.js';
import { MAY_APPEND, MAY_READ, MAY_WRITE, PTRACE_READ, PTRACE_READBY, PTRACE_TRACE, PTRACE_TRACEBY } from './compile/permissions.js';
import { matchPort } from './compile/ports.js';
import type { BpfProfile } from './compile/profile.js';
import { AUDIT_MODE, DENY_MODE } from './compile/rule-mode.js';
import { effectiveProtocol } from './compile/socket-constants.js';

/**
 * One operation of a confined task, as the programs see it at their hooks:
 * - `file`: open (and link, rename, symlink) of a path with MAY_READ / MAY_WRITE / MAY_APPEND bits requested;
 * - `exec`: the executable's resolved path, and the name it was invoked by when that was absolute;
 * - `ptrace`: the confined task traces or reads another (`trace`, `read`), or is traced or read (`traceby`, `readby`);
 *   `peer` is where the other task is: the same container, another one, or the host (init mount namespace);
 * - `mount` / `umount` / `move-mount`: source (or mount path) with mount(2) flags and filesystem type.
 */
export type BpfRequest =
  | { operation: 'file'; path: string; permissions: number }
  | { operation: 'exec'; path: string; invokedAs?: string }
  | { operation: 'socket'; domain: number; type: number; protocol: number }
  | { operation: 'connect'; address: string; port: number }
  | { operation: 'ptrace'; permission: 'trace' | 'read' | 'traceby' | 'readby'; peer: 'same' | 'other' | 'host' }
  | { operation: 'mount'; source: string; fstype: string; flags: number }
  | { operation: 'umount'; path: string }
  | { operation: 'move-mount'; source: string }
  | { operation: 'capability'; capability: number };

/**
 * The permissions an open(2) asks for, as file_open computes them: reading; writing, or appending with O_APPEND;
 * writing also with O_TRUNC and when the open created the file.
 */
export function openPermissions(open: { read?: boolean; write?: boolean; append?: boolean; truncate?: boolean; created?: boolean }): number {
  let permissions = 0;
  if (open.write) permissions |= open.append ? MAY_APPEND : MAY_WRITE;
  if (open.read) permissions |= MAY_READ;
  if (open.truncate || open.created) permissions |= MAY_WRITE;
  return permissions;
}

/** What the kernel does: whether the operation goes ahead, and the audit event it reports, if any. */
export interface BpfDecision {
  allowed: boolean;
  event?: 'DENIED' | 'AUDIT' | 'ALLOWED';
}

export interface EvaluateContext {
  /** The container's own addresses (for `pod-self` rules). */
  podAddresses?: readonly string[];
}

/** Denied and audited bits of the request, accumulated over every rule that matches. */
class Verdict {
  deny = 0n;
  audit = 0n;
  add(mode: number, requested: bigint): void {
    if (mode & DENY_MODE) this.deny |= requested;
    if (mode & AUDIT_MODE) this.audit |= requested;
  }
  decision(): BpfDecision {
    const allowed = this.deny === 0n;
    if (this.audit === 0n) return { allowed };
    return { allowed, event: allowed ? 'AUDIT' : 'DENIED' };
  }
}

function mountMatches(rule: BpfProfile['mounts'][number], flags: number, fstype: string, source: string, newMount: boolean): boolean {
  const flagMatch = newMount ? (flags & rule.mountFlags) !== 0 || (~flags & rule.reverseMountFlags) !== 0 : (flags & rule.mountFlags) !== 0;
  return flagMatch && (rule.fstype === '*' || rule.fstype === fstype) && matchPathPattern(rule.pattern, source);
}

/**
 * The decision function of the BPF programs, in TypeScript: the same rules give the same answer as the kernel
 * (tests run both on the same cases). Every matching rule adds its mode; the operation is refused when a matching
 * rule denies it, and reported when one audits it. In complain mode nothing is refused and everything is reported.
 */
export function evaluate(profile: BpfProfile, request: BpfRequest, context: EvaluateContext = {}): BpfDecision {
  if (profile.profileMode === 'complain') return { allowed: true, event: 'ALLOWED' };
  const verdict = new Verdict();
  switch (request.operation) {
    case 'file':
      for (const rule of profile.files) {
        const requested = BigInt(rule.permissions & request.permissions);
        if (requested !== 0n && matchPathPattern(rule.pattern, request.path)) verdict.add(rule.mode, requested);
      }
      break;
    case 'exec': {
      const names = [request.path];
      if (request.invokedAs?.startsWith('/') && request.invokedAs !== request.path) names.push(request.invokedAs);
      for (const rule of profile.processes) {
        if (names.some((name) => matchPathPattern(rule.pattern, name))) verdict.add(rule.mode, 1n);
      }
      break;
    }
    case 'socket': {
      const protocol = effectiveProtocol(request.domain, request.type, request.protocol);
      const has = (mask: bigint, value: number) => mask === 0n || (value < 64 && (mask & (1n << BigInt(value))) !== 0n);
      for (const rule of profile.networks) {
        if (rule.kind !== 'socket') continue;
        if (has(rule.domains, request.domain) && has(rule.types, request.type) && has(rule.protocols, protocol)) verdict.add(rule.mode, 1n);
      }
      break;
    }
    case 'connect': {
      const address = addressBytes(request.address);
      if (!address) break;
      const pods = (context.podAddresses ?? []).map(addressBytes).filter((a): a is AddressBytes => a !== undefined);
      for (const rule of profile.networks) {
        if (rule.kind !== 'connect') continue;
        if (matchAddress(rule.address, address, pods) && matchPort(rule.ports, request.port)) verdict.add(rule.mode, 1n);
      }
      break;
    }
    case 'ptrace': {
      const bit = { trace: PTRACE_TRACE, read: PTRACE_READ, traceby: PTRACE_TRACEBY, readby: PTRACE_READBY }[request.permission];
      const tracedBy = request.permission === 'traceby' || request.permission === 'readby';
      // Tools on the host may always look into containers.
      if (tracedBy && request.peer === 'host') break;
      for (const rule of profile.ptrace) {
        if (rule.permissions & bit && (rule.strict || request.peer !== 'same')) verdict.add(rule.mode, 1n);
      }
      break;
    }
    case 'mount': {
      const fstype = request.flags & EXISTING_MOUNT_FLAGS ? 'none' : request.fstype;
      for (const rule of profile.mounts) if (mountMatches(rule, request.flags >>> 0, fstype, request.source, true)) verdict.add(rule.mode, 1n);
      break;
    }
    case 'umount':
      for (const rule of profile.mounts) if (mountMatches(rule, MAY_UMOUNT, 'none', request.path, false)) verdict.add(rule.mode, 1n);
      break;
    case 'move-mount':
      for (const rule of profile.mounts) if (mountMatches(rule, MS_MOVE, 'none', request.source, false)) verdict.add(rule.mode, 1n);
      break;
    case 'capability':
      for (const rule of profile.capabilities) {
        if ((rule.capabilities >> BigInt(request.capability)) & 1n) verdict.add(rule.mode, 1n);
      }
      break;
  }
  return verdict.decision();
}
