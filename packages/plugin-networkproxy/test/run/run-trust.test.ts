// The files of a run's TLS interception, written for real under /run/armorkit/runs (root): a CA made for the run or
// the user's, owned by the proxy's UID, and the bundle that keeps what the command's variables trusted before.
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeMitmCaFiles } from '../../src/pki/ca-files.js';
import { generateMitmCa } from '../../src/pki/mitm-ca.js';
import { removeRunRecord, RUNS_DIRECTORY } from '../../src/run/run-record.js';
import { prepareRunTrust } from '../../src/run/run-trust.js';

const scratch = mkdtempSync(join(tmpdir(), 'armorkit-run-trust-'));
const ids: string[] = [];
afterAll(() => {
  for (const id of ids) removeRunRecord(id);
  rmSync(scratch, { recursive: true, force: true });
});
const newId = () => {
  const id = randomBytes(3).toString('hex');
  ids.push(id);
  return id;
};
const owner = (path: string) => {
  const stat = statSync(path);
  return `${(stat.mode & 0o777).toString(8)} ${stat.uid}:${stat.gid}`;
};
const subjects = (bundle: string) => (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem).subject);

describe.skipIf(process.getuid?.() !== 0)('the run trust files', () => {
  it("a CA made for the run: the proxy UID's files, every variable pointing at one bundle that keeps the bundles they named", async () => {
    const extra = await generateMitmCa();
    const named = join(scratch, 'corporate.pem');
    writeFileSync(named, extra.certificate);
    const id = newId();
    const trust = await prepareRunTrust(id, 1337, undefined, { SSL_CERT_FILE: named, CURL_CA_BUNDLE: '/nonexistent.pem' });
    if (!trust.ok) throw new Error(JSON.stringify(trust.errors));
    const bundle = `${RUNS_DIRECTORY}/${id}/ca-certificates.crt`;
    expect(trust.value).toMatchObject({ generated: true, bundleFile: bundle, ca: { certificateFile: `${RUNS_DIRECTORY}/${id}/proxy/ca.crt`, keyFile: `${RUNS_DIRECTORY}/${id}/proxy/ca.key` } });
    expect(trust.value.environment).toEqual({ SSL_CERT_FILE: bundle, REQUESTS_CA_BUNDLE: bundle, NODE_EXTRA_CA_CERTS: bundle, CURL_CA_BUNDLE: bundle });
    expect([owner(`${RUNS_DIRECTORY}/${id}/proxy`), owner(trust.value.ca.keyFile), owner(bundle), owner(RUNS_DIRECTORY)]).toEqual(['700 1337:1337', '600 1337:1337', '644 0:0', '711 0:0']);
    const listed = subjects(readFileSync(bundle, 'utf8'));
    // The system's roots first, the named bundle's CA, the run's CA last (the named one is also a "armorkit MITM CA").
    expect(listed.length).toBeGreaterThan(100);
    expect(listed.slice(-2)).toEqual(['CN=armorkit MITM CA\nO=armorkit', 'CN=armorkit MITM CA\nO=armorkit']);
    expect(readFileSync(bundle, 'utf8')).toContain(extra.certificate.trim());
    expect(readFileSync(bundle, 'utf8').trim().endsWith(readFileSync(trust.value.ca.certificateFile, 'utf8').trim())).toBe(true);
  });

  it("the user's CA (runMitmCa) is checked and copied; a missing one is the error of reading it", async () => {
    const own = await writeMitmCaFiles(join(scratch, 'own'), await generateMitmCa());
    if (!own.ok) throw new Error('no CA');
    const id = newId();
    const trust = await prepareRunTrust(id, 1337, own.value, {});
    if (!trust.ok) throw new Error(JSON.stringify(trust.errors));
    expect(trust.value.generated).toBe(false);
    expect(readFileSync(trust.value.ca.keyFile, 'utf8')).toBe(readFileSync(own.value.keyFile, 'utf8'));
    const missing = await prepareRunTrust(newId(), 1337, { certificateFile: join(scratch, 'none.crt'), keyFile: join(scratch, 'none.key') }, {});
    expect(missing.ok ? [] : missing.errors.map((error) => `${error.code}: ${error.message}`)).toEqual([
      `networkproxy-mitm-ca-unreadable: cannot read ${join(scratch, 'none.crt')} (ENOENT)`,
      `networkproxy-mitm-ca-unreadable: cannot read ${join(scratch, 'none.key')} (ENOENT)`,
    ]);
    removeRunRecord(id);
    expect(existsSync(`${RUNS_DIRECTORY}/${id}`)).toBe(false);
  });
});
