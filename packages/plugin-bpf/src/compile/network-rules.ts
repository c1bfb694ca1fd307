import { cidrAddress, ipAddress } from './addresses.js';
import { type PortSpec, groupPorts } from './ports.js';
import type { BpfConnectRule, BpfSocketRule, ConnectAddress, RuleOrigin } from './profile.js';
import { domainMask, protocolMask, typeMask } from './socket-constants.js';

export interface SocketSpec {
  domains?: readonly string[];
  types?: readonly string[];
  protocols?: readonly string[];
}

/** A socket() rule from domain, type and protocol names; types and protocols do not go together (vArmor). */
export function socketRule(spec: SocketSpec, mode: number, origin: RuleOrigin): BpfSocketRule | { problem: string } {
  if (spec.types?.length && spec.protocols?.length) return { problem: 'types and protocols are mutually exclusive in a socket rule' };
  if (!spec.domains?.length && !spec.types?.length && !spec.protocols?.length) {
    return { problem: 'a socket rule needs at least one of domains, types or protocols' };
  }
  const domains = domainMask(spec.domains ?? []);
  if (typeof domains === 'string') return { problem: `unknown socket domain ${JSON.stringify(domains)}` };
  const types = typeMask(spec.types ?? []);
  if (typeof types === 'string') return { problem: `unknown socket type ${JSON.stringify(types)}` };
  const protocols = protocolMask(spec.protocols ?? []);
  if (typeof protocols === 'string') return { problem: `unknown socket protocol ${JSON.stringify(protocols)}` };
  return { kind: 'socket', mode, domains, types, protocols, origin };
}

export interface DestinationSpec {
  ip?: string;
  cidr?: string;
  ports?: readonly PortSpec[];
}

/** The addresses a destination names; `localhost` is the IPv4 loopback network and ::1. */
function destinationAddresses(spec: DestinationSpec): ConnectAddress[] | { problem: string } {
  if (spec.ip !== undefined && spec.cidr !== undefined) return { problem: 'ip and cidr are mutually exclusive in a destination' };
  if (spec.cidr !== undefined) {
    const address = cidrAddress(spec.cidr);
    return address ? [address] : { problem: `${JSON.stringify(spec.cidr)} is not a CIDR (address/prefix-length)` };
  }
  switch (spec.ip) {
    case undefined:
      return [{ kind: 'any' }];
    case 'pod-self':
      return [{ kind: 'pod-self' }];
    case 'unspecified':
      return [{ kind: 'unspecified' }];
    case 'localhost':
      // All of 127/8 is loopback: listing 127.0.0.1 alone would let 127.0.0.2 through.
      return [cidrAddress('127.0.0.0/8')!, ipAddress('::1')!];
    default: {
      const address = ipAddress(spec.ip);
      return address ? [address] : { problem: `${JSON.stringify(spec.ip)} is not an IPv4 or IPv6 address, pod-self, unspecified or localhost` };
    }
  }
}

/** connect() rules for a destination: one per address and port group (ranges alone, single ports by sixteen). */
export function connectRules(spec: DestinationSpec, mode: number, origin: RuleOrigin): BpfConnectRule[] | { problem: string } {
  if (spec.ip === undefined && spec.cidr === undefined && !spec.ports?.length) return { problem: 'a destination needs ip, cidr or ports' };
  const addresses = destinationAddresses(spec);
  if ('problem' in addresses) return addresses;
  const ports = groupPorts(spec.ports ?? []);
  if ('problem' in ports) return ports;
  return addresses.flatMap((address) => ports.groups.map((group): BpfConnectRule => ({ kind: 'connect', mode, address, ports: group, origin })));
}
