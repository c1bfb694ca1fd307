// The address a redirected connection was dialled to, read from conntrack through getsockopt (Node has no getsockopt).
import type { Socket } from 'node:net';
import { formatIp } from '@armorkit/core/address';
import koffi from 'koffi';
import type { Destination } from '../decision/facts.js';

const SOL_IP = 0;
const SOL_IPV6 = 41;
/** SO_ORIGINAL_DST (linux/netfilter_ipv4.h) and IP6T_SO_ORIGINAL_DST (linux/netfilter_ipv6/ip6_tables.h) share the value. */
const SO_ORIGINAL_DST = 80;
const AF_INET = 2;
const AF_INET6 = 10;
const SOCKADDR_IN6_BYTES = 28;

export type OriginalDestinationResult =
  | { ok: true; destination: Destination }
  | { ok: false; reason: string };

type GetSockOpt = (fd: number, level: number, name: number, value: Buffer, length: number[]) => number;
let getsockopt: GetSockOpt | undefined;
let loadFailure: string | undefined;

function libcGetSockOpt(): GetSockOpt | undefined {
  if (getsockopt || loadFailure) return getsockopt;
  try {
    const libc = koffi.load('libc.so.6');
    const native = libc.func('int getsockopt(int fd, int level, int optname, _Out_ uint8_t *optval, _Inout_ uint32_t *optlen)');
    getsockopt = (fd, level, name, value, length) => native(fd, level, name, value, length) as number;
  } catch (error) {
    loadFailure = `getsockopt from libc.so.6 is unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
  return getsockopt;
}

/** The file descriptor behind a connected net.Socket: libuv's TCP handle exposes it as `_handle.fd` on Unix. */
export function socketDescriptor(socket: Socket): number | undefined {
  const handle: unknown = Reflect.get(socket, '_handle');
  if (typeof handle !== 'object' || handle === null) return undefined;
  const fd: unknown = Reflect.get(handle, 'fd');
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}

/**
 * The original destination of a socket accepted on a listener of `family` (one listener per family, IPV6_V6ONLY, so
 * the conntrack entry has the listener's family). Fails with a reason when the socket was not redirected.
 */
export function originalDestination(socket: Socket, family: 4 | 6): OriginalDestinationResult {
  const fd = socketDescriptor(socket);
  if (fd === undefined) return { ok: false, reason: 'the socket has no file descriptor (not a TCP socket, or already closed)' };
  const call = libcGetSockOpt();
  if (!call) return { ok: false, reason: loadFailure ?? 'getsockopt is unavailable' };
  const value = Buffer.alloc(SOCKADDR_IN6_BYTES);
  const length = [SOCKADDR_IN6_BYTES];
  const status = call(fd, family === 4 ? SOL_IP : SOL_IPV6, SO_ORIGINAL_DST, value, length);
  if (status !== 0) {
    const errno = koffi.errno();
    // ENOENT: no conntrack entry, i.e. the connection reached the proxy port directly instead of through REDIRECT.
    return { ok: false, reason: errno === 2 ? 'the connection was not redirected (no conntrack entry)' : `getsockopt(SO_ORIGINAL_DST) failed with errno ${errno}` };
  }
  return decodeSockaddr(value, length[0] ?? 0);
}

/** sockaddr_in / sockaddr_in6 as the kernel writes them: family in host order, port in network order. */
export function decodeSockaddr(value: Buffer, length: number): OriginalDestinationResult {
  if (length < 8) return { ok: false, reason: `the kernel returned a ${length}-byte address` };
  const family = value.readUInt16LE(0);
  const port = value.readUInt16BE(2);
  if (family === AF_INET && length >= 8) {
    return { ok: true, destination: { address: `${value[4]}.${value[5]}.${value[6]}.${value[7]}`, port, family: 4 } };
  }
  if (family === AF_INET6 && length >= 24) {
    return { ok: true, destination: { address: formatIp(value.subarray(8, 24)), port, family: 6 } };
  }
  return { ok: false, reason: `the kernel returned address family ${family}` };
}
