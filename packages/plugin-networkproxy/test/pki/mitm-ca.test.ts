import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMitmCaFiles, writeMitmCaFiles } from '../../src/pki/ca-files.js';
import { LeafCertificates } from '../../src/pki/leaf-certificates.js';
import { generateMitmCa, parseMitmCa, type MitmCa } from '../../src/pki/mitm-ca.js';

const dir = mkdtempSync(join(tmpdir(), 'armorkit-pki-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freshCa(): Promise<MitmCa> {
  const pem = await generateMitmCa();
  const parsed = await parseMitmCa(pem, { certificate: 'ca.crt', privateKey: 'ca.key' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

describe('the MITM CA', () => {
  it('is a self-signed ECDSA P-256 CA for certificate signing, valid 10 years from 5 minutes ago', async () => {
    const now = new Date('2026-12-02T08:00:00Z');
    const pem = await generateMitmCa({ now });
    const certificate = new X509Certificate(pem.certificate);
    expect(certificate.ca).toBe(true);
    expect(certificate.subject).toBe('CN=armorkit MITM CA\nO=armorkit');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new Date(certificate.validFrom).toISOString()).toBe('2026-12-02T07:55:00.000Z');
    expect(new Date(certificate.validTo).getUTCFullYear()).toBe(2036);
    expect(pem.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('is written with its key 0600 and its certificate 0644, and never over an existing one', async () => {
    const pem = await generateMitmCa();
    const target = join(dir, 'ca');
    const written = await writeMitmCaFiles(target, pem);
    expect(written.ok).toBe(true);
    if (!written.ok) return;
    expect(statSync(written.value.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(written.value.certificateFile).mode & 0o777).toBe(0o644);
    expect(statSync(target).mode & 0o777).toBe(0o700);
    const again = await writeMitmCaFiles(target, await generateMitmCa());
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.errors[0]?.code).toBe('networkproxy-mitm-ca-exists');
    const read = await readMitmCaFiles(written.value);
    expect(read.ok).toBe(true);
  });

  it('refuses what cannot sign: a leaf as CA, a key of another CA, a missing file, an expired CA', async () => {
    const a = await generateMitmCa();
    const b = await generateMitmCa();
    const where = { certificate: 'ca.crt', privateKey: 'ca.key' };
    const mismatch = await parseMitmCa({ certificate: a.certificate, privateKey: b.privateKey }, where);
    expect(mismatch.ok ? '' : mismatch.errors[0]?.message).toBe('ca.key is not the key of ca.crt');
    const leaf = await new LeafCertificates(await freshCa()).issue('api.example.test');
    const notCa = await parseMitmCa({ certificate: leaf.certificatePem, privateKey: leaf.privateKeyPem }, where);
    expect(notCa.ok ? '' : notCa.errors[0]?.message).toBe('ca.crt is not a CA certificate (basicConstraints CA:false)');
    const garbage = await parseMitmCa({ certificate: 'nope', privateKey: a.privateKey }, where);
    expect(garbage.ok ? '' : garbage.errors[0]?.message).toBe('ca.crt is not a PEM certificate');
    const expired = await parseMitmCa(a, where, new Date(Date.now() + 3651 * 86_400_000));
    expect(expired.ok ? '' : expired.errors[0]?.message).toMatch(/^ca\.crt expired on /);
    writeFileSync(join(dir, 'only.crt'), a.certificate);
    const missing = await readMitmCaFiles({ certificateFile: join(dir, 'only.crt'), keyFile: join(dir, 'missing.key') });
    expect(missing.ok ? '' : missing.errors[0]).toMatchObject({ code: 'networkproxy-mitm-ca-unreadable', message: `cannot read ${join(dir, 'missing.key')} (ENOENT)` });
  });
});

describe('leaf certificates', () => {
  it('are signed by the CA for exactly the name, DNS or IP, and verify as a chain', async () => {
    const ca = await freshCa();
    const leaves = new LeafCertificates(ca);
    const dns = new X509Certificate((await leaves.issue('api.example.test')).certificatePem);
    expect(dns.verify(ca.certificate.publicKey)).toBe(true);
    expect(dns.checkIssued(ca.certificate)).toBe(true);
    expect(dns.subjectAltName).toBe('DNS:api.example.test');
    expect(dns.checkHost('api.example.test')).toBe('api.example.test');
    expect(dns.checkHost('other.example.test')).toBeUndefined();
    expect(dns.ca).toBe(false);
    const ip = new X509Certificate((await leaves.issue('10.0.0.7')).certificatePem);
    expect(ip.subjectAltName).toBe('IP Address:10.0.0.7');
    expect(ip.checkIP('10.0.0.7')).toBe('10.0.0.7');
  });

  it('are cached per name with a bound (least recently used out) and signed again when half their validity is gone', async () => {
    let now = Date.now();
    const leaves = new LeafCertificates(await freshCa(), { maxEntries: 2, validityDays: 2, now: () => now });
    const first = leaves.leafFor('a.test');
    expect(leaves.leafFor('A.test')).toBe(first);
    await first;
    await leaves.leafFor('b.test');
    expect(leaves.leafFor('a.test')).toBe(first);
    await leaves.leafFor('c.test');
    expect(leaves.size).toBe(2);
    expect(leaves.signed).toBe(3);
    // b was the least recently used; a stays.
    expect(leaves.leafFor('a.test')).toBe(first);
    await leaves.leafFor('b.test');
    expect(leaves.signed).toBe(4);
    now += 86_400_000 + 1;
    expect(leaves.leafFor('a.test')).not.toBe(first);
  });
});
