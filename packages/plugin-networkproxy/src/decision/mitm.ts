import { type AddressKey, addressKey, networkRange } from './addresses.js';
import { requestHostName } from './request.js';
import { normalizeHostPattern } from '../config/values.js';

/** A mitm domain entry as the matcher reads it: a name pattern, or one address. */
type Target = { entry: string; name: string } | { entry: string; address: AddressKey };

function sameAddress(a: AddressKey, b: AddressKey): boolean {
  return a.family === b.family && a.key === b.key;
}

function nameMatches(pattern: string, name: string): boolean {
  return pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1 : name === pattern;
}

/**
 * Which TLS connections the proxy intercepts (vArmor's MITM chains: by server name for DNS entries, by destination
 * for IP and /32 or /128 entries), and which Host headers a request in one may carry (its virtual hosts: the domain,
 * with or without a port, never a catch-all, so a request cannot front for another domain).
 */
export class MitmMatcher {
  private readonly names: { entry: string; name: string }[] = [];
  private readonly addresses: { entry: string; address: AddressKey }[] = [];

  constructor(domains: readonly string[]) {
    for (const entry of domains) {
      const target = this.target(entry);
      if (target && 'name' in target) this.names.push(target);
      else if (target) this.addresses.push(target);
    }
  }

  private target(entry: string): Target | undefined {
    const range = networkRange(entry.includes('/') ? entry : entry.includes(':') ? `${entry}/128` : `${entry}/32`);
    if (range) return { entry, address: range.family === 4 ? { family: 4, key: range.start } : { family: 6, key: range.start } };
    const name = normalizeHostPattern(entry);
    return name === undefined || name === '*' ? undefined : { entry, name };
  }

  get enabled(): boolean {
    return this.names.length > 0 || this.addresses.length > 0;
  }

  /** The entry a TLS connection is intercepted for: its server name first (the DNS chain), else its destination. */
  interceptFor(serverName: string | undefined, destination: AddressKey): string | undefined {
    if (serverName !== undefined) for (const target of this.names) if (nameMatches(target.name, serverName)) return target.entry;
    for (const target of this.addresses) if (sameAddress(target.address, destination)) return target.entry;
    return undefined;
  }

  /** Whether a request in an intercepted connection may name `host` (the connection's entry when known, else any entry). */
  admitsHost(host: string | undefined, entry: string | undefined): boolean {
    const name = requestHostName(host, true);
    if (name === undefined) return false;
    const literal = addressKey(name);
    const targets = [...this.names, ...this.addresses].filter((target) => entry === undefined || target.entry === entry);
    return targets.some((target) => ('name' in target ? nameMatches(target.name, name) : literal !== undefined && sameAddress(target.address, literal)));
  }
}
