// The host side of a run's network, as iptables / ip6tables arguments made only from checked values: NAT of the
// namespace's address to whatever interface leads out, and FORWARD accepts for its veth (in front of a DROP policy,
// if any). Each rule carries the run's comment, so a leftover one can be found and removed by it.
import { parseIp } from '@armorkit/core/address';

/** One rule in a built-in chain of the host: `iptables -t TABLE -I|-D CHAIN WORDS...`. */
export interface HostRule {
  /** 4: iptables, 6: ip6tables. */
  family: 4 | 6;
  table: 'nat' | 'filter';
  chain: 'POSTROUTING' | 'FORWARD';
  words: readonly string[];
}

export interface RunLink {
  /** The run's id (hex), in names and comments. */
  id: string;
  /** The host end of the veth pair. */
  hostDevice: string;
  /** The namespace's address (no prefix): IPv4, or IPv6 for ip6tables' rules. */
  namespaceAddress: string;
}

const DEVICE = /^[a-z0-9]{1,15}$/;

/** The comment the run's host rules carry. */
export function runComment(id: string): string {
  return `armorkit-run-${id}`;
}

export function hostRules(link: RunLink): HostRule[] {
  const address = parseIp(link.namespaceAddress);
  if (!/^[0-9a-f]{6,12}$/.test(link.id) || !DEVICE.test(link.hostDevice) || 'problem' in address) {
    throw new RangeError(`run network: unexpected values ${JSON.stringify(link)}`);
  }
  const family = address.bitLength === 32 ? 4 : 6;
  const comment = ['-m', 'comment', '--comment', runComment(link.id)];
  return [
    { family, table: 'nat', chain: 'POSTROUTING', words: ['-s', `${link.namespaceAddress}/${address.bitLength}`, '!', '-o', link.hostDevice, ...comment, '-j', 'MASQUERADE'] },
    { family, table: 'filter', chain: 'FORWARD', words: ['-i', link.hostDevice, ...comment, '-j', 'ACCEPT'] },
    { family, table: 'filter', chain: 'FORWARD', words: ['-o', link.hostDevice, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...comment, '-j', 'ACCEPT'] },
  ];
}

/** The command that applies a rule of `family`. */
export const HOST_RULE_COMMAND = { 4: 'iptables', 6: 'ip6tables' } as const;

/** `iptables` arguments that insert (`-I`, ahead of other rules) or delete (`-D`) the rule; `-w` waits for the lock. */
export function ruleArguments(rule: HostRule, operation: '-I' | '-D'): string[] {
  return ['-w', '-t', rule.table, operation, rule.chain, ...rule.words];
}
