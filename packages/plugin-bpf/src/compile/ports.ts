import type { PortMatch } from './profile.js';

/** One BPF connect rule matches at most this many single ports. */
export const PORTS_PER_RULE = 16;

export interface PortSpec {
  port: number;
  endPort?: number;
}

const isPort = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;

/**
 * vArmor's regrouping (reference §3.6): each range `port..endPort` (endPort > port) is a rule of its own, first;
 * single ports (endPort absent or equal) are de-duplicated in order and grouped by sixteen, a group of one being a
 * single-port rule. No ports means every port.
 */
export function groupPorts(ports: readonly PortSpec[]): { groups: PortMatch[] } | { problem: string } {
  if (ports.length === 0) return { groups: [{ kind: 'any' }] };
  const ranges: PortMatch[] = [];
  const singles: number[] = [];
  for (const { port, endPort } of ports) {
    if (!isPort(port) || (endPort !== undefined && (!isPort(endPort) || endPort < port))) {
      return { problem: `invalid port ${port}${endPort === undefined ? '' : ` or endPort ${endPort}`}: ports are 1..65535 and endPort is not below port` };
    }
    if (endPort !== undefined && endPort > port) ranges.push({ kind: 'range', port, endPort });
    else if (!singles.includes(port)) singles.push(port);
  }
  const groups = [...ranges];
  for (let start = 0; start < singles.length; start += PORTS_PER_RULE) {
    const chunk = singles.slice(start, start + PORTS_PER_RULE);
    groups.push(chunk.length === 1 ? { kind: 'port', port: chunk[0]! } : { kind: 'list', ports: chunk });
  }
  return { groups };
}

/** Whether a destination port is in the match. */
export function matchPort(match: PortMatch, port: number): boolean {
  switch (match.kind) {
    case 'any':
      return true;
    case 'port':
      return port === match.port;
    case 'range':
      return port >= match.port && port <= match.endPort;
    case 'list':
      return match.ports.includes(port);
  }
}
