import type { ArmorProfileModel } from '@armorkit/core/schema';
import { formatIp } from '@armorkit/core/address';
import { addressBytes } from './addresses.js';
import { ALL_CAPABILITIES, capabilityMask } from './capabilities.js';
import { MAX_RULES_PER_TYPE } from './limits.js';
import { PTRACE_ALL, ptraceMask } from './permissions.js';
import type { ProfileBuilder } from './profile-builder.js';
import type { BpfConnectRule, ConnectAddress, PortMatch, RuleOrigin } from './profile.js';
import { ALL_DOMAINS, ALL_TYPES, SOCKET_DOMAIN_NUMBERS, SOCKET_TYPE_NUMBERS } from './socket-constants.js';

export type BpfBehavior = NonNullable<NonNullable<NonNullable<ArmorProfileModel['data']>['dynamicResult']>['bpf']>;

/**
 * What of a behaviour model BPF cannot enforce: its rules deny what matches a pattern, so "only these paths" has no
 * rule (AppArmor's deny-by-default profile enforces executions and files; mounts stay with AppArmor as well).
 */
export const BPF_MODEL_GAPS = ['executions', 'files', 'mounts'] as const;

/**
 * The model's BPF part as deny rules for everything it did not record, where a complement is a finite list of rules
 * (reference §2.6 for AppArmor's equivalent): capabilities not used, socket families and types not created, ptrace
 * permissions not used, and connections to addresses or ports not seen. Returns which parts it could not express.
 */
export function addBehaviorModel(builder: ProfileBuilder, model: BpfBehavior | undefined, mode: number, origin: RuleOrigin): string[] {
  const gaps: string[] = BPF_MODEL_GAPS.filter((part) => part !== 'mounts' || (model?.mounts?.length ?? 0) > 0);

  let used = 0n;
  for (const name of model?.capabilities ?? []) used |= capabilityMask(name) ?? 0n;
  const capabilities = ALL_CAPABILITIES & ~used;
  if (capabilities !== 0n) builder.addCapability({ mode, capabilities, origin });

  const ptraces = PTRACE_ALL & ~ptraceMask((model?.ptraces ?? []).flatMap((ptrace) => ptrace.permissions));
  if (ptraces !== 0) builder.addPtrace({ mode, permissions: ptraces, strict: false, origin });

  addSocketComplement(builder, model?.network?.sockets ?? [], mode, origin);
  const connects = connectComplement(model?.network?.egresses ?? [], mode, origin);
  // Socket and connect rules share one list of MAX_RULES_PER_TYPE; about one address fits beside the socket rules.
  if (builder.profile.networks.length + connects.length <= MAX_RULES_PER_TYPE) for (const rule of connects) builder.addNetwork(rule);
  else gaps.push('egresses');
  return gaps;
}

const bit = (n: number) => 1n << BigInt(n);

/** A family or type as a model spells it: BPF's events `AF_INET` / `SOCK_STREAM` (vArmor's), AppArmor's `inet` / `stream`, or a number. */
function socketNumber(name: string, prefix: string, numbers: Readonly<Record<string, number>>): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  return numbers[(name.startsWith(prefix) ? name.slice(prefix.length) : name).toLowerCase()];
}

function addSocketComplement(builder: ProfileBuilder, sockets: readonly { domain: string; type: string }[], mode: number, origin: RuleOrigin): void {
  const typesByDomain = new Map<number, bigint>();
  for (const socket of sockets) {
    const domain = socketNumber(socket.domain, 'AF_', SOCKET_DOMAIN_NUMBERS);
    const type = socketNumber(socket.type, 'SOCK_', SOCKET_TYPE_NUMBERS);
    if (domain === undefined || type === undefined) continue;
    typesByDomain.set(domain, (typesByDomain.get(domain) ?? 0n) | bit(type));
  }
  let recordedDomains = 0n;
  for (const domain of typesByDomain.keys()) recordedDomains |= bit(domain);
  const otherDomains = ALL_DOMAINS & ~recordedDomains;
  // A zero mask matches anything: `types: 0n` is every type of those families.
  if (otherDomains !== 0n) builder.addNetwork({ kind: 'socket', mode, domains: otherDomains, types: 0n, protocols: 0n, origin });
  for (const [domain, types] of [...typesByDomain].sort((a, b) => a[0] - b[0])) {
    const otherTypes = ALL_TYPES & ~types;
    if (otherTypes !== 0n) builder.addNetwork({ kind: 'socket', mode, domains: bit(domain), types: otherTypes, protocols: 0n, origin });
  }
}

/** connect() rules denying every address and port the model did not record: the CIDR complement of the addresses, and for each address the ports it was not reached on. */
export function connectComplement(egresses: readonly { ip: string; ports?: number[] }[], mode: number, origin: RuleOrigin): BpfConnectRule[] {
  if (egresses.length === 0) return [{ kind: 'connect', mode, address: { kind: 'any' }, ports: { kind: 'any' }, origin }];
  const rules: BpfConnectRule[] = [];
  for (const family of [4, 6] as const) {
    const seen = new Map<string, { bytes: Uint8Array; ports: Set<number> }>();
    for (const egress of egresses) {
      const parsed = addressBytes(egress.ip);
      if (!parsed || parsed.family !== family) continue;
      const id = formatIp(parsed.bytes);
      const entry = seen.get(id) ?? { bytes: parsed.bytes, ports: new Set<number>() };
      for (const port of egress.ports ?? []) entry.ports.add(port);
      seen.set(id, entry);
    }
    const width = family === 4 ? 32 : 128;
    for (const network of complementNetworks([...seen.values()].map((entry) => entry.bytes), width)) {
      const address: ConnectAddress = { kind: 'cidr', network: formatIp(network.bytes), prefixLength: network.prefixLength, family };
      rules.push({ kind: 'connect', mode, address, ports: { kind: 'any' }, origin });
    }
    for (const [ip, entry] of [...seen].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      // An address recorded without ports (a merged model written by hand) stands for every port.
      if (entry.ports.size === 0) continue;
      for (const ports of portComplement(entry.ports)) rules.push({ kind: 'connect', mode, address: { kind: 'ip', ip, family }, ports, origin });
    }
  }
  return rules;
}

const bitOf = (bytes: Uint8Array, index: number) => ((bytes[index >> 3]! >> (7 - (index & 7))) & 1) === 1;

/** The networks covering every address of the family except `addresses`: at most width × count of them. */
function complementNetworks(addresses: readonly Uint8Array[], width: number): { bytes: Uint8Array; prefixLength: number }[] {
  const networks: { bytes: Uint8Array; prefixLength: number }[] = [];
  const walk = (prefix: Uint8Array, length: number, inside: readonly Uint8Array[]): void => {
    if (inside.length === 0) {
      networks.push({ bytes: prefix, prefixLength: length });
      return;
    }
    if (length === width) return;
    for (const one of [false, true]) {
      const next = Uint8Array.from(prefix);
      if (one) next[length >> 3]! |= 1 << (7 - (length & 7));
      walk(next, length + 1, inside.filter((address) => bitOf(address, length) === one));
    }
  };
  walk(new Uint8Array(width / 8), 0, addresses);
  return networks;
}

/** Port ranges of 1–65535 without the ports given. */
function portComplement(ports: ReadonlySet<number>): PortMatch[] {
  const ranges: PortMatch[] = [];
  let start = 1;
  for (const port of [...ports].sort((a, b) => a - b)) {
    if (port > start) ranges.push(port - 1 === start ? { kind: 'port', port: start } : { kind: 'range', port: start, endPort: port - 1 });
    start = port + 1;
  }
  if (start <= 65535) ranges.push(start === 65535 ? { kind: 'port', port: start } : { kind: 'range', port: start, endPort: 65535 });
  return ranges;
}
