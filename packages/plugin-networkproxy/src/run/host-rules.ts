// The host side of a run's network, as iptables arguments made only from checked values: NAT of the namespace's
// address to whatever interface leads out, and FORWARD accepts for its veth (in front of a DROP policy, if any).
// Each rule carries the run's comment, so a leftover one can be found and removed by it.

/** One rule in a built-in chain of the host: `iptables -t TABLE -I|-D CHAIN WORDS...`. */
export interface HostRule {
  table: 'nat' | 'filter';
  chain: 'POSTROUTING' | 'FORWARD';
  words: readonly string[];
}

export interface RunLink {
  /** The run's id (hex), in names and comments. */
  id: string;
  /** The host end of the veth pair. */
  hostDevice: string;
  /** The namespace's IPv4 address (no prefix). */
  namespaceAddress: string;
}

const DEVICE = /^[a-z0-9]{1,15}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The comment the run's host rules carry. */
export function runComment(id: string): string {
  return `armorkit-run-${id}`;
}

export function hostRules(link: RunLink): HostRule[] {
  if (!/^[0-9a-f]{6,12}$/.test(link.id) || !DEVICE.test(link.hostDevice) || !IPV4.test(link.namespaceAddress)) {
    throw new RangeError(`run network: unexpected values ${JSON.stringify(link)}`);
  }
  const comment = ['-m', 'comment', '--comment', runComment(link.id)];
  return [
    { table: 'nat', chain: 'POSTROUTING', words: ['-s', `${link.namespaceAddress}/32`, '!', '-o', link.hostDevice, ...comment, '-j', 'MASQUERADE'] },
    { table: 'filter', chain: 'FORWARD', words: ['-i', link.hostDevice, ...comment, '-j', 'ACCEPT'] },
    { table: 'filter', chain: 'FORWARD', words: ['-o', link.hostDevice, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...comment, '-j', 'ACCEPT'] },
  ];
}

/** `iptables` arguments that insert (`-I`, ahead of other rules) or delete (`-D`) the rule; `-w` waits for the lock. */
export function ruleArguments(rule: HostRule, operation: '-I' | '-D'): string[] {
  return ['-w', '-t', rule.table, operation, rule.chain, ...rule.words];
}
