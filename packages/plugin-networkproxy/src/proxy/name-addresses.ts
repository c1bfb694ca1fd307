// Spoofing protection: an allow granted by a name (SNI, Host) holds only when the address the client dialled is one
// that name resolves to here. Resolved with the system resolver (getaddrinfo, as the workload resolves), cached briefly.
import { lookup } from 'node:dns/promises';
import { formatIp, parseIp } from '@armorkit/core/address';

/** Every address of a name, IPv4 and IPv6; an empty list when it does not resolve. */
export type ResolveAll = (name: string) => Promise<string[]>;

export interface NameCheckOptions {
  /** How long a name's addresses are trusted; 0 resolves every time. */
  ttlSeconds: number;
  /** Names kept at most; the oldest go first. */
  maxNames: number;
  resolve?: ResolveAll;
}

export const DEFAULT_NAME_CHECK: NameCheckOptions = { ttlSeconds: 30, maxNames: 4096 };

export const systemResolveAll: ResolveAll = async (name) => {
  try {
    const answers = await lookup(name, { all: true, verbatim: true });
    return answers.map((answer) => answer.address);
  } catch {
    return [];
  }
};

interface Entry {
  addresses: Set<string>;
  expires: number;
}

export type NameVerdict = { ok: true } | { ok: false; addresses: string[] };

/** Answers "does `name` resolve to `address`?", from a TTL-bounded cache with a size cap. */
export class NameAddresses {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry>>();
  private readonly resolve: ResolveAll;

  constructor(
    private readonly options: NameCheckOptions = DEFAULT_NAME_CHECK,
    private readonly now: () => number = Date.now,
  ) {
    this.resolve = options.resolve ?? systemResolveAll;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Synchronous when the cache answers yes. A miss, or an address the cached answer lacks (round-robin DNS hands out
   * different sets), resolves once more before refusing.
   */
  verify(name: string, address: string): NameVerdict | Promise<NameVerdict> {
    // The hot path first: a cached name whose set holds the address as the proxy writes it (no parsing).
    const entry = this.entries.get(name);
    if (entry && entry.expires > this.now() && entry.addresses.has(address)) return { ok: true };
    const wanted = canonical(address);
    const literal = parseIp(name);
    if (!('problem' in literal)) return formatIp(literal.bytes) === wanted ? { ok: true } : { ok: false, addresses: [formatIp(literal.bytes)] };
    if (entry && entry.expires > this.now() && entry.addresses.has(wanted)) return { ok: true };
    return this.refresh(name).then((fresh) => (fresh.addresses.has(wanted) ? { ok: true } : { ok: false, addresses: [...fresh.addresses] }));
  }

  private refresh(name: string): Promise<Entry> {
    const running = this.pending.get(name);
    if (running) return running;
    const promise = this.resolve(name)
      .catch(() => [])
      .then((addresses) => {
        const entry: Entry = { addresses: new Set(addresses.map(canonical)), expires: this.now() + this.options.ttlSeconds * 1000 };
        this.entries.delete(name);
        if (this.options.ttlSeconds > 0 && this.options.maxNames > 0) {
          while (this.entries.size >= this.options.maxNames) {
            const oldest = this.entries.keys().next();
            if (oldest.done) break;
            this.entries.delete(oldest.value);
          }
          this.entries.set(name, entry);
        }
        return entry;
      })
      .finally(() => this.pending.delete(name));
    this.pending.set(name, promise);
    return promise;
  }
}

/** One text per address (`::ffff:10.0.0.1` and `10.0.0.1` alike, IPv6 compressed), so comparison is by value. */
function canonical(address: string): string {
  const parsed = parseIp(address);
  return 'problem' in parsed ? address : formatIp(parsed.bytes);
}

/** The audit detail of a refused name: what it resolves to, and where the client went instead. */
export function spoofingDetail(name: string, addresses: string[], destination: string): string {
  return `${name} resolves to ${addresses.join(', ') || 'nothing'}, not ${destination}`;
}
