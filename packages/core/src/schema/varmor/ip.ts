import ipaddr from 'ipaddr.js';

/** Names vArmor accepts in place of an IP literal in BPF destinations. */
export const IP_ENTITIES = ['pod-self', 'unspecified', 'localhost'] as const;

/** True for a dotted-quad IPv4 or a textual IPv6 address (no zone), the forms Go's net.ParseIP accepts. */
export function isIpLiteral(text: string): boolean {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return true;
  return !text.includes('%') && text.includes(':') && ipaddr.IPv6.isValid(text);
}

/** Why `text` is not an `address/prefix` CIDR, or undefined when it is one. */
export function cidrProblem(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return 'a CIDR needs a /prefix-length (e.g. 10.0.0.0/8)';
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!isIpLiteral(address)) return `${JSON.stringify(address)} is not an IPv4 or IPv6 address`;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix)) return `prefix length ${JSON.stringify(prefix)} is not a number`;
  const bits = address.includes(':') ? 128 : 32;
  if (Number(prefix) > bits) return `prefix length ${prefix} is larger than ${bits}`;
  return undefined;
}
