// The ring-buffer record of bpf/layout.h (struct event_head, then the path for file, exec and mount events).

export const EVENT_FIXED_SIZE = 104;

export const EVENT_ACTIONS = { 1: 'DENIED', 2: 'AUDIT', 4: 'ALLOWED' } as const;
export const EVENT_CAPABILITY = 1;
export const EVENT_FILE = 2;
export const EVENT_EXEC = 4;
export const EVENT_NETWORK = 8;
export const EVENT_PTRACE = 0x10;
export const EVENT_MOUNT = 0x20;
export const NETWORK_CONNECT = 1;
export const NETWORK_SOCKET = 2;

export interface BpfEventRecord {
  action: number;
  type: number;
  mntNs: number;
  tgid: number;
  pid: number;
  uid: number;
  /** Nanoseconds since boot (bpf_ktime_get_boot_ns). */
  ktime: bigint;
  comm: string;
  a: number;
  b: number;
  c: number;
  d: number;
  address: Buffer;
  fstype: string;
  path: string;
}

const cString = (bytes: Buffer) => {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
};

/** One record as the programs wrote it; undefined when it is too short to be one. */
export function parseEventRecord(bytes: Buffer): BpfEventRecord | undefined {
  if (bytes.length < EVENT_FIXED_SIZE) return undefined;
  const pathLength = bytes.readUInt32LE(96);
  return {
    action: bytes.readUInt32LE(0),
    type: bytes.readUInt32LE(4),
    mntNs: bytes.readUInt32LE(8),
    tgid: bytes.readUInt32LE(12),
    pid: bytes.readUInt32LE(16),
    uid: bytes.readUInt32LE(20),
    ktime: bytes.readBigUInt64LE(24),
    comm: cString(bytes.subarray(32, 48)),
    a: bytes.readUInt32LE(48),
    b: bytes.readUInt32LE(52),
    c: bytes.readUInt32LE(56),
    d: bytes.readUInt32LE(60),
    address: Buffer.from(bytes.subarray(64, 80)),
    fstype: cString(bytes.subarray(80, 96)),
    path: bytes.subarray(EVENT_FIXED_SIZE, Math.min(bytes.length, EVENT_FIXED_SIZE + pathLength)).toString('utf8'),
  };
}
