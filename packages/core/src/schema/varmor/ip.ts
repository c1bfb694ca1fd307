import { parseIp } from '../../address/ip-address.js';
import { parseCidr } from '../../address/ip-network.js';

/** Names vArmor accepts in place of an IP literal in BPF destinations. */
export const IP_ENTITIES = ['pod-self', 'unspecified', 'localhost'] as const;

/** Why `text` is not an address Go's net.ParseIP accepts (vArmor's test), or undefined when it is one. */
export function ipProblem(text: string): string | undefined {
  const parsed = parseIp(text);
  return 'problem' in parsed ? parsed.problem : undefined;
}

/** Why `text` is not a CIDR Go's net.ParseCIDR accepts, or undefined when it is one. */
export function cidrProblem(text: string): string | undefined {
  const parsed = parseCidr(text);
  return 'problem' in parsed ? parsed.problem : undefined;
}
