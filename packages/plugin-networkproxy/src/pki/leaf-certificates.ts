// A leaf certificate for each intercepted server name, signed by the policy's CA when first needed and kept in a
// bounded cache (least recently used out), re-signed before it expires. One key pair serves every leaf of a CA: the
// certificate, not the key, is what binds a name (mitmproxy and Envoy's dynamic signing do the same).
import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';
import type { MitmCa } from './mitm-ca.js';
import { crypto, KEY_ALGORITHM, privateKeyPem, randomSerial, SIGNING_ALGORITHM, x509 } from './x509.js';

export interface LeafOptions {
  /** Names kept at once; the least recently used goes first. */
  maxEntries: number;
  validityDays: number;
  now: () => number;
}

export const DEFAULT_LEAF_OPTIONS: LeafOptions = { maxEntries: 1024, validityDays: 7, now: Date.now };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** A subject CN holds at most 64 characters (RFC 5280 ub-common-name); the SAN is what clients check anyway. */
const MAX_COMMON_NAME = 64;

interface Entry {
  /** After this the leaf is signed again (half its validity: clients never see one close to expiry). */
  renewAt: number;
  leaf: Promise<IssuedLeaf>;
}

export interface IssuedLeaf {
  certificatePem: string;
  privateKeyPem: string;
}

export class LeafCertificates {
  private readonly entries = new Map<string, Entry>();
  private keys: Promise<{ pair: webcrypto.CryptoKeyPair; pem: string }> | undefined;
  private readonly options: LeafOptions;
  signed = 0;

  constructor(
    private readonly ca: MitmCa,
    options: Partial<LeafOptions> = {},
  ) {
    this.options = { ...DEFAULT_LEAF_OPTIONS, ...options };
  }

  get size(): number {
    return this.entries.size;
  }

  /** The leaf for `name` (a DNS name or an IP address), from the cache or freshly signed. */
  leafFor(name: string): Promise<IssuedLeaf> {
    const key = name.toLowerCase();
    const now = this.options.now();
    const cached = this.entries.get(key);
    if (cached && cached.renewAt > now) {
      // Map order is insertion order: moving the entry to the end keeps the least recently used first.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.leaf;
    }
    const leaf = this.issue(key, now);
    const entry: Entry = { renewAt: now + (this.options.validityDays * DAY_MS) / 2, leaf };
    this.entries.delete(key);
    this.entries.set(key, entry);
    // A name that cannot be signed is not kept: the next connection tries again.
    leaf.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    return leaf;
  }

  /** A leaf for `name`, valid from 5 minutes ago (clock skew) for validityDays, never past the CA. */
  async issue(name: string, now = this.options.now()): Promise<IssuedLeaf> {
    this.keys ??= webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']).then(async (pair) => ({ pair, pem: await privateKeyPem(pair.privateKey) }));
    const keys = await this.keys;
    const notBefore = new Date(now - 5 * MINUTE_MS);
    const notAfter = new Date(Math.min(now + this.options.validityDays * DAY_MS, this.ca.notAfter.getTime()));
    const alternativeName = isIP(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name };
    const leaf = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomSerial(),
        subject: name.length <= MAX_COMMON_NAME && !isIP(name) ? `CN=${name}, O=armorkit MITM` : 'O=armorkit MITM',
        issuer: this.ca.subjectName,
        publicKey: keys.pair.publicKey,
        signingKey: this.ca.signingKey,
        notBefore,
        notAfter,
        signingAlgorithm: SIGNING_ALGORITHM,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension([alternativeName], false),
          new x509.AuthorityKeyIdentifierExtension(this.ca.keyIdentifier, false),
        ],
      },
      crypto,
    );
    this.signed++;
    return { certificatePem: `${leaf.toString('pem')}\n`, privateKeyPem: keys.pem };
  }
}
