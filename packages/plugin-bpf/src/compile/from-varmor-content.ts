import type { BpfContent } from '@armorkit/core/schema';
import type { ProfileMode } from '@armorkit/core';
import { DENY_MODE } from './rule-mode.js';
import { GREEDY_MATCH, type PathPattern, parsePathPattern, PRECISE_MATCH } from './path-pattern.js';
import type { BpfConnectRule, BpfNetworkRule, BpfProfile, ConnectAddress, PortMatch, RuleOrigin } from './profile.js';
import { CIDR_MATCH, IPV4_MATCH, IPV6_MATCH, POD_SELF_IP_MATCH, PORT_MATCH, PORT_RANGE_MATCH, PORTS_MATCH, PTRACE_STRICT_FLAG, SOCKET_MATCH } from './varmor-content.js';

// The reverse of toBpfContent: vArmor's BpfContent (ArmorProfile `spec.profile.bpf`) → the compiled profile the
// encoder takes. Rules whose modes toBpfContent merged (capabilities, ptrace) come back with the merged mode.

type NetworkContent = NonNullable<BpfContent['networks']>[number];
type PatternContent = { flags: number; prefix?: string | undefined; suffix?: string | undefined };

const origin = (pointer: string): RuleOrigin => ({ pointer, source: 'armor-profile' });
/** A rule without a mode is one vArmor writes for EnhanceProtect: deny. */
const modeOf = (mode: number | undefined) => mode ?? DENY_MODE;
const u64 = (value: number | string | undefined) => BigInt(value ?? 0);

/** The pattern text toBpfContent encoded: prefix, then `**` (greedy) or `*` (file name), then the un-reversed suffix. */
function patternOf(content: PatternContent, subject: 'path' | 'mount-source'): { pattern: PathPattern } | { problem: string } {
  const prefix = content.prefix ?? '';
  const suffix = [...(content.suffix ?? '')].reverse().join('');
  const text = content.flags & PRECISE_MATCH ? prefix : content.flags & GREEDY_MATCH ? `${prefix}**${suffix}` : `${prefix}*${suffix}`;
  return parsePathPattern(text, subject);
}

function connectAddress(rule: NetworkContent): ConnectAddress | { problem: string } {
  const [v4, v6] = [(rule.flags & IPV4_MATCH) !== 0, (rule.flags & IPV6_MATCH) !== 0];
  const family = v4 === v6 ? undefined : v4 ? 4 : 6;
  const ip = rule.address?.ip;
  if (rule.flags & POD_SELF_IP_MATCH) return { kind: 'pod-self' };
  if (rule.flags & CIDR_MATCH) {
    const [network = '', length = ''] = (rule.address?.cidr ?? '').split('/');
    if (!network || !/^\d+$/.test(length) || family === undefined) return { problem: `cidr ${JSON.stringify(rule.address?.cidr)} is not one IPv4 or IPv6 network` };
    return { kind: 'cidr', network, prefixLength: Number(length), family };
  }
  if (rule.flags & PRECISE_MATCH) {
    if (ip === 'unspecified') return { kind: 'unspecified' };
    if (!ip || family === undefined) return { problem: `address ${JSON.stringify(ip)} is not one IPv4 or IPv6 address` };
    return { kind: 'ip', ip, family };
  }
  return { kind: 'any' };
}

function connectPorts(rule: NetworkContent): PortMatch {
  const address = rule.address ?? {};
  if (rule.flags & PORT_MATCH && address.port !== undefined) return { kind: 'port', port: address.port };
  if (rule.flags & PORT_RANGE_MATCH && address.port !== undefined && address.endPort !== undefined) return { kind: 'range', port: address.port, endPort: address.endPort };
  if (rule.flags & PORTS_MATCH && address.ports) return { kind: 'list', ports: [...address.ports] };
  return { kind: 'any' };
}

function networkRule(rule: NetworkContent, pointer: string): BpfNetworkRule | { problem: string } {
  if (rule.flags & SOCKET_MATCH) {
    const socket = rule.socket ?? {};
    return { kind: 'socket', mode: modeOf(rule.mode), domains: u64(socket.domains), types: u64(socket.types), protocols: u64(socket.protocols), origin: origin(pointer) };
  }
  const address = connectAddress(rule);
  if ('problem' in address) return address;
  const connect: BpfConnectRule = { kind: 'connect', mode: modeOf(rule.mode), address, ports: connectPorts(rule), origin: origin(pointer) };
  return connect;
}

/** BpfContent → the profile, or the JSON pointer (under `base`) and reason of the first rule that cannot be read. */
export function fromBpfContent(content: BpfContent, profileName: string, profileMode: ProfileMode, base: string): { profile: BpfProfile } | { pointer: string; problem: string } {
  const profile: BpfProfile = { profileName, profileMode, capabilities: [], ptrace: [], files: [], processes: [], networks: [], mounts: [] };
  if (content.capabilities) {
    profile.capabilities.push({ mode: modeOf(content.capabilities.mode), capabilities: u64(content.capabilities.capabilities), origin: origin(`${base}/capabilities`) });
  }
  if (content.ptrace) {
    const { mode, permissions, flags } = content.ptrace;
    profile.ptrace.push({ mode: modeOf(mode), permissions, strict: (flags & PTRACE_STRICT_FLAG) !== 0, origin: origin(`${base}/ptrace`) });
  }
  for (const [list, subject] of [['files', 'path'], ['processes', 'path']] as const) {
    for (const [index, rule] of (content[list] ?? []).entries()) {
      const pointer = `${base}/${list}/${index}`;
      const read = patternOf(rule.pattern, subject);
      if ('problem' in read) return { pointer, problem: read.problem };
      if (list === 'files') profile.files.push({ mode: modeOf(rule.mode), permissions: rule.permissions, pattern: read.pattern, origin: origin(pointer) });
      else profile.processes.push({ mode: modeOf(rule.mode), pattern: read.pattern, origin: origin(pointer) });
    }
  }
  for (const [index, rule] of (content.networks ?? []).entries()) {
    const pointer = `${base}/networks/${index}`;
    const read = networkRule(rule, pointer);
    if ('problem' in read) return { pointer, problem: read.problem };
    profile.networks.push(read);
  }
  for (const [index, rule] of (content.mounts ?? []).entries()) {
    const pointer = `${base}/mounts/${index}`;
    const read = patternOf(rule.pattern, 'mount-source');
    if ('problem' in read) return { pointer, problem: read.problem };
    profile.mounts.push({ mode: modeOf(rule.mode), pattern: read.pattern, fstype: rule.fstype ?? '*', mountFlags: rule.mountFlags, reverseMountFlags: rule.reverseMountflags, origin: origin(pointer) });
  }
  return { profile };
}
