import { type ViolationEvent, violationEvent } from '@armorkit/core/audit';
import { capabilityName } from '../compile/capabilities.js';
import { mountFlagNames } from '../compile/mount-flags.js';
import { filePermissionNames, ptracePermissionName } from '../compile/permissions.js';
import { AF_INET, domainLabel, protocolLabel, typeLabel } from '../compile/socket-constants.js';
import { formatAddress } from '../compile/addresses.js';
import {
  type BpfEventRecord,
  EVENT_ACTIONS,
  EVENT_CAPABILITY,
  EVENT_EXEC,
  EVENT_FILE,
  EVENT_MOUNT,
  EVENT_NETWORK,
  EVENT_PTRACE,
  NETWORK_CONNECT,
} from './event-record.js';

export interface DecodeContext {
  /** Boot time in Unix seconds (btime of /proc/stat): events carry nanoseconds since boot. */
  bootTime: number;
  /** The profile name of a mount namespace. */
  profileName?: (mountNamespace: number) => string | undefined;
  nodeName?: string;
}

/** The enforcer-specific `event` object, in vArmor's shape (reference §3.11), with the task's command name. */
export function eventDetail(record: BpfEventRecord): Record<string, unknown> {
  switch (record.type) {
    case EVENT_CAPABILITY:
      return { operation: 'Capability', capability: capabilityName(record.a) ?? 'unknown', comm: record.comm };
    case EVENT_FILE:
      return { operation: 'File', permissions: filePermissionNames(record.a), path: record.path, comm: record.comm };
    case EVENT_EXEC:
      return { operation: 'Bprm', permissions: ['exec'], path: record.path, comm: record.comm };
    case EVENT_NETWORK:
      if (record.a === NETWORK_CONNECT) {
        const family = record.b === AF_INET ? 4 : 6;
        const bytes = record.address.subarray(0, family === 4 ? 4 : 16);
        return { operation: 'Network', type: 'connect', address: { ip: formatAddress({ family, bytes }), port: record.c }, comm: record.comm };
      }
      return {
        operation: 'Network',
        type: 'socket',
        socket: { domain: domainLabel(record.b), type: typeLabel(record.c), protocol: protocolLabel(record.d) },
        comm: record.comm,
      };
    case EVENT_PTRACE:
      return { operation: 'Ptrace', permission: ptracePermissionName(record.a), external: record.b !== 0, comm: record.comm };
    case EVENT_MOUNT:
      return { operation: 'Mount', path: record.path, type: record.fstype, flags: mountFlagNames(record.a), comm: record.comm };
    default:
      return { operation: 'Unknown', type: record.type };
  }
}

/** A ring-buffer record → the one ViolationEvent shape (enforcer BPF). */
export function violationFromRecord(record: BpfEventRecord, context: DecodeContext): ViolationEvent {
  const action = EVENT_ACTIONS[record.action as keyof typeof EVENT_ACTIONS] ?? 'DENIED';
  return violationEvent({
    nodeName: context.nodeName ?? '',
    pid: record.tgid,
    mntNsID: record.mntNs,
    eventTimestamp: Math.floor(context.bootTime + Number(record.ktime / 1_000_000n) / 1000),
    enforcer: 'BPF',
    action,
    profileName: context.profileName?.(record.mntNs) ?? '',
    event: eventDetail(record),
  });
}
