import type { BpfContent } from '@armorkit/core/schema';
import { varmorPatternContent, PRECISE_MATCH } from './path-pattern.js';
import { MAY_EXEC } from './permissions.js';
import type { BpfConnectRule, BpfNetworkRule, BpfProfile } from './profile.js';

// vArmor's network rule flags (reference §3.6).
export const CIDR_MATCH = 0x20;
export const IPV4_MATCH = 0x40;
export const IPV6_MATCH = 0x80;
export const PORT_MATCH = 0x100;
export const SOCKET_MATCH = 0x200;
export const PORT_RANGE_MATCH = 0x400;
export const PORTS_MATCH = 0x800;
export const POD_SELF_IP_MATCH = 0x1000;

/** ptrace rule flags: only against tasks outside the container, or everywhere (strictMode). */
export const PTRACE_OUTSIDE_FLAG = PRECISE_MATCH;
export const PTRACE_STRICT_FLAG = 0x2;

/** A u64 mask as a JSON number while exact, as a decimal string beyond 2^53 (what the BpfContent schema takes). */
function u64(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

function connectContent(rule: BpfConnectRule): NonNullable<BpfContent['networks']>[number] {
  const address: { ip?: string; cidr?: string; port?: number; endPort?: number; ports?: number[] } = {};
  let flags = 0;
  switch (rule.address.kind) {
    case 'any':
      flags = IPV4_MATCH | IPV6_MATCH;
      break;
    case 'ip':
      flags = PRECISE_MATCH | (rule.address.family === 4 ? IPV4_MATCH : IPV6_MATCH);
      address.ip = rule.address.ip;
      break;
    case 'cidr':
      flags = CIDR_MATCH | (rule.address.family === 4 ? IPV4_MATCH : IPV6_MATCH);
      address.ip = rule.address.network;
      address.cidr = `${rule.address.network}/${rule.address.prefixLength}`;
      break;
    case 'pod-self':
      flags = POD_SELF_IP_MATCH | IPV4_MATCH | IPV6_MATCH;
      address.ip = 'pod-self';
      break;
    case 'unspecified':
      flags = PRECISE_MATCH | IPV4_MATCH | IPV6_MATCH;
      address.ip = 'unspecified';
      break;
  }
  switch (rule.ports.kind) {
    case 'any':
      break;
    case 'port':
      flags |= PORT_MATCH;
      address.port = rule.ports.port;
      break;
    case 'range':
      flags |= PORT_RANGE_MATCH;
      address.port = rule.ports.port;
      address.endPort = rule.ports.endPort;
      break;
    case 'list':
      flags |= PORTS_MATCH;
      address.ports = [...rule.ports.ports];
      break;
  }
  return { mode: rule.mode, flags, address };
}

function networkContent(rule: BpfNetworkRule): NonNullable<BpfContent['networks']>[number] {
  if (rule.kind === 'connect') return connectContent(rule);
  const socket: { domains?: number | string; types?: number | string; protocols?: number | string } = {};
  if (rule.domains) socket.domains = u64(rule.domains);
  if (rule.types) socket.types = u64(rule.types);
  if (rule.protocols) socket.protocols = u64(rule.protocols);
  return { mode: rule.mode, flags: SOCKET_MATCH, socket };
}

/**
 * The profile in vArmor's BpfContent form (ArmorProfile `spec.profile.bpf`). vArmor has one capability rule and one
 * ptrace rule per profile; when ours carry different modes (or strictness) they are merged here and `merged` says
 * which, since BpfContent cannot say "deny this bit, only audit that one" (the loaded tables keep the difference).
 */
export function toBpfContent(profile: BpfProfile): { content: BpfContent; merged: ('capabilities' | 'ptrace')[] } {
  const content: BpfContent = {};
  const merged: ('capabilities' | 'ptrace')[] = [];
  if (profile.capabilities.length > 0) {
    const modes = new Set(profile.capabilities.map((rule) => rule.mode));
    if (modes.size > 1) merged.push('capabilities');
    const capabilities = profile.capabilities.reduce((mask, rule) => mask | rule.capabilities, 0n);
    content.capabilities = { mode: [...modes].reduce((a, b) => a | b, 0), capabilities: u64(capabilities) };
  }
  if (profile.files.length > 0) {
    content.files = profile.files.map((rule) => ({ mode: rule.mode, permissions: rule.permissions, pattern: varmorPatternContent(rule.pattern) }));
  }
  if (profile.processes.length > 0) {
    content.processes = profile.processes.map((rule) => ({ mode: rule.mode, permissions: MAY_EXEC, pattern: varmorPatternContent(rule.pattern) }));
  }
  if (profile.networks.length > 0) content.networks = profile.networks.map(networkContent);
  if (profile.ptrace.length > 0) {
    const shapes = new Set(profile.ptrace.map((rule) => `${rule.mode}/${rule.strict}`));
    if (shapes.size > 1) merged.push('ptrace');
    content.ptrace = {
      mode: profile.ptrace.reduce((mode, rule) => mode | rule.mode, 0),
      permissions: profile.ptrace.reduce((mask, rule) => mask | rule.permissions, 0),
      flags: profile.ptrace.reduce((flags, rule) => flags | (rule.strict ? PTRACE_STRICT_FLAG : PTRACE_OUTSIDE_FLAG), 0),
    };
  }
  if (profile.mounts.length > 0) {
    content.mounts = profile.mounts.map((rule) => ({
      mode: rule.mode,
      mountFlags: rule.mountFlags,
      reverseMountflags: rule.reverseMountFlags,
      pattern: varmorPatternContent(rule.pattern),
      fstype: rule.fstype,
    }));
  }
  return { content, merged };
}

/** Stable JSON: BpfContent's field order, 2-space indent, a final newline. */
export function formatBpfContent(content: BpfContent): string {
  return `${JSON.stringify(content, null, 2)}\n`;
}
