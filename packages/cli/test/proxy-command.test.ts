import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { armorkit } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'armorkit-proxy-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('armorkit proxy', () => {
  it('refuses a missing --config, an unreadable file and a bad limit as usage errors', () => {
    expect(armorkit(['proxy'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('--config FILE is required') });
    expect(armorkit(['proxy', '--config', 'missing.json'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('missing.json: cannot read the file: no such file') });
    writeFileSync(join(dir, 'any.json'), '{}');
    expect(armorkit(['proxy', '--config', 'any.json', '--idle-timeout-ms', '1e3'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('--idle-timeout-ms: expected a positive whole number, got "1e3"') });
    expect(armorkit(['proxy', '--config', 'any.json', '--events', 'relative.log'], { cwd: dir })).toMatchObject({ status: 2, stderr: expect.stringContaining('--events: expected "stderr" or an absolute file path, got "relative.log"') });
  });

  it('reports every problem of an invalid configuration with its pointer and line, and does not start', () => {
    writeFileSync(join(dir, 'bad.json'), '{\n  "version": 1,\n  "proxyPort": 70000\n}\n');
    const result = armorkit(['proxy', '--config', 'bad.json'], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('bad.json:3:16: /proxyPort:');
    expect(result.stderr).toContain('/decisions:');
    expect(result.stderr).not.toContain('listening');
  });
});

describe('armorkit mitm-ca and a proxy without its CA', () => {
  it('writes ca.crt 0644 and ca.key 0600, keeps an existing CA, and a proxy with a missing CA does not start', () => {
    const made = armorkit(['mitm-ca', '--out', 'ca'], { cwd: dir });
    expect(made.status).toBe(0);
    const files = JSON.parse(made.stdout) as { certificateFile: string; keyFile: string };
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(files.certificateFile).mode & 0o777).toBe(0o644);
    expect(readFileSync(files.certificateFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(armorkit(['mitm-ca', '--out', 'ca'], { cwd: dir })).toMatchObject({ status: 1, stderr: expect.stringContaining('already exist') });
    const config = {
      version: 1,
      proxyPort: 15901,
      proxyAdminPort: 15900,
      proxyUID: 0,
      decisions: { defaultAction: 'allow', l4Rules: [], httpRules: [] },
      spoofingProtection: { enabled: false, maxCacheSeconds: 30 },
      audit: { profileName: 'cli-test', events: { to: 'stderr' } },
      mitm: { domains: ['api.test'], headerMutations: [], ca: { certificateFile: files.certificateFile, keyFile: join(dir, 'nope.key') } },
    };
    writeFileSync(join(dir, 'mitm.json'), JSON.stringify(config));
    const refused = armorkit(['proxy', '--config', 'mitm.json'], { cwd: dir });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`/mitm/ca: cannot read ${join(dir, 'nope.key')} (ENOENT)`);
    expect(refused.stderr).not.toContain('listening');
  });
});
