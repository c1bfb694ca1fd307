import type { ViolationEvent } from '@armorkit/core/audit';

/** KubeArmor's operations (reference §5.2) that armorkit's enforcers report. */
export type AlertOperation = 'Process' | 'File' | 'Network' | 'Capabilities' | 'Syscall';

/** What an event was about, in KubeArmor's terms: its operation, resource and data (reference §5.2), and the facts a rule is matched on. */
export interface AlertSubject {
  operation: AlertOperation;
  /** File or Process: the path; Network: `domain=AF_INET type=SOCK_STREAM protocol=TCP`; Capabilities: `CAP_NET_RAW`; Syscall: `SYS_UNLINK`. */
  resource: string;
  /** The enforcer's own account: `operation=open requested_mask=r denied_mask=r`, `lsm=SECURITY_BPRM_CHECK`, `syscall=SYS_UNLINK`. */
  data: string;
  /** The executable that acted, when the event says it (seccomp's exe); AppArmor and BPF give the command name only. */
  executable?: string;
  /** The command name (`comm`). */
  command: string;
  /** Network: the socket (`AF_INET`, `SOCK_STREAM`, IP protocol number or undefined). */
  socket?: { domain: string; type: string; protocol?: number };
  /** Capabilities: the name without prefix (`net_raw`). */
  capability?: string;
  /** Syscall: the name (`unlink`). */
  syscall?: string;
  /** The uid the event gives (seccomp uid, AppArmor fsuid). */
  uid?: number;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const integer = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) ? value : undefined);
const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.fromEntries(Object.entries(value)) : {});

/** IP protocol numbers KubeArmor's monitor names (`protocol=TCP`); others stay numbers. */
const PROTOCOL_NAMES: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6', 132: 'SCTP', 33: 'DCCP' };
const PROTOCOL_NUMBERS: Record<string, number> = { IPPROTO_IP: 0, IPPROTO_ICMP: 1, IPPROTO_TCP: 6, IPPROTO_UDP: 17, IPPROTO_ICMPV6: 58, IPPROTO_SCTP: 132, IPPROTO_DCCP: 33, IPPROTO_RAW: 255 };

export function protocolLabel(protocol: number | undefined): string {
  return protocol === undefined ? '0' : (PROTOCOL_NAMES[protocol] ?? String(protocol));
}

function networkResource(socket: { domain: string; type: string; protocol?: number }): string {
  return `domain=${socket.domain} type=${socket.type} protocol=${protocolLabel(socket.protocol)}`;
}

/** AppArmor operations about sockets (security/apparmor/net.c op names). */
const APPARMOR_NETWORK_OPERATIONS = new Set(['create', 'post_create', 'bind', 'connect', 'listen', 'accept', 'sendmsg', 'recvmsg', 'getsockname', 'getpeername', 'getsockopt', 'setsockopt', 'socket_shutdown']);

/** AppArmor's `family="inet"` / `sock_type="stream"` as the socket(2) constant names. */
function appArmorSocket(detail: Record<string, unknown>): { domain: string; type: string; protocol?: number } {
  const family = text(detail.family) ?? 'unspec';
  const type = text(detail.sock_type) ?? 'unknown';
  const protocol = integer(detail.protocol);
  return { domain: `AF_${family.toUpperCase()}`, type: `SOCK_${type.toUpperCase()}`, ...(protocol !== undefined ? { protocol } : {}) };
}

function fromAppArmor(detail: Record<string, unknown>): AlertSubject | undefined {
  const operation = text(detail.operation) ?? '';
  const command = text(detail.comm) ?? '';
  const uid = integer(detail.fsuid);
  const masks = ['requested_mask', 'denied_mask'].flatMap((key) => (text(detail[key]) !== undefined ? [`${key}=${text(detail[key])}`] : []));
  const data = [`operation=${operation}`, ...masks].join(' ');
  const common = { command, ...(uid !== undefined ? { uid } : {}) };
  const capname = text(detail.capname);
  if (operation === 'capable' && capname !== undefined) {
    return { operation: 'Capabilities', resource: `CAP_${capname.toUpperCase()}`, data: `operation=capable capability=${integer(detail.capability) ?? ''} capname=${capname}`, capability: capname, ...common };
  }
  if (APPARMOR_NETWORK_OPERATIONS.has(operation) && detail.family !== undefined) {
    const socket = appArmorSocket(detail);
    return { operation: 'Network', resource: networkResource(socket), data: `operation=${operation} family=${text(detail.family) ?? ''} sock_type=${text(detail.sock_type) ?? ''} protocol=${integer(detail.protocol) ?? ''}`, socket, ...common };
  }
  const name = text(detail.name);
  if (name === undefined) return undefined;
  return { operation: operation === 'exec' ? 'Process' : 'File', resource: name, data, ...common };
}

function fromBpf(detail: Record<string, unknown>): AlertSubject | undefined {
  const command = text(detail.comm) ?? '';
  const path = text(detail.path);
  switch (detail.operation) {
    case 'Bprm':
      return path === undefined ? undefined : { operation: 'Process', resource: path, data: 'lsm=SECURITY_BPRM_CHECK', command };
    case 'File': {
      const permissions = Array.isArray(detail.permissions) ? detail.permissions.filter((p): p is string => typeof p === 'string') : [];
      return path === undefined ? undefined : { operation: 'File', resource: path, data: `lsm=FILE permissions=${permissions.join(',')}`, command };
    }
    case 'Capability': {
      const capability = text(detail.capability) ?? 'unknown';
      return { operation: 'Capabilities', resource: `CAP_${capability.toUpperCase()}`, data: 'lsm=CAPABLE', capability, command };
    }
    case 'Network': {
      const socket = record(detail.socket);
      if (detail.type === 'socket') {
        const protocolName = text(socket.protocol) ?? '';
        const protocol = PROTOCOL_NUMBERS[protocolName];
        const made = { domain: text(socket.domain) ?? 'AF_UNSPEC', type: text(socket.type) ?? 'SOCK_UNKNOWN', ...(protocol !== undefined ? { protocol } : {}) };
        return { operation: 'Network', resource: networkResource(made), data: 'lsm=SOCKET_CREATE', socket: made, command };
      }
      const address = record(detail.address);
      return { operation: 'Network', resource: `remoteip=${text(address.ip) ?? ''} port=${integer(address.port) ?? ''}`, data: 'lsm=SOCKET_CONNECT', command };
    }
    default:
      return undefined;
  }
}

function fromSeccomp(detail: Record<string, unknown>): AlertSubject | undefined {
  const syscall = text(detail.syscall);
  if (syscall === undefined) return undefined;
  const executable = text(detail.exe);
  const uid = integer(detail.uid);
  const name = `SYS_${syscall.toUpperCase()}`;
  return {
    operation: 'Syscall',
    resource: name,
    data: `syscall=${name}`,
    syscall,
    command: text(detail.comm) ?? '',
    ...(executable !== undefined ? { executable } : {}),
    ...(uid !== undefined ? { uid } : {}),
  };
}

/** The KubeArmor operation, resource and data of an event of AppArmor, BPF or seccomp; undefined for what KubeArmor has no operation for (ptrace, mount, signals). */
export function alertSubject(event: ViolationEvent): AlertSubject | undefined {
  switch (event.enforcer) {
    case 'AppArmor':
      return fromAppArmor(event.event);
    case 'BPF':
      return fromBpf(event.event);
    case 'Seccomp':
      return fromSeccomp(event.event);
    case 'NetworkProxy':
      return undefined;
  }
}

/** The error the operation got, as strerror(3) words it (what the command printed), or `Passed`. */
export function resultOf(event: ViolationEvent): string {
  if (event.action !== 'DENIED') return 'Passed';
  if (event.enforcer === 'AppArmor') return 'Permission denied';
  const errno = event.event.errno;
  if (event.enforcer === 'Seccomp' && typeof errno === 'number' && errno !== 1) return errno === 13 ? 'Permission denied' : `errno ${errno}`;
  // seccomp's EPERM, and BPF-LSM's programs, which return -EPERM.
  return 'Operation not permitted';
}
