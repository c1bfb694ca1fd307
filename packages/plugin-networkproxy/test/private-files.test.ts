// The secrets init container's script run for real, as the pod runs it: root with CHOWN as its only capability, a
// "Secret volume" laid out as the kubelet writes one (files behind ..data symbolic links, 0400 root), an empty
// directory for the copies. Only the proxy's UID reads them afterwards.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privateFilesScript } from '../src/pod/private-files.js';

const PROXY_UID = 1337;
const OTHER_UID = 65534;
const root = mkdtempSync(join(tmpdir(), 'armorkit-private-files-'));
// The proxy's UID walks to the copies (as to the emptyDir's mount in a pod).
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A Secret volume as the kubelet makes it: `<dir>/..data -> ..<timestamp>/`, each key a link through ..data. */
function secretVolume(directory: string, files: Record<string, string>): void {
  const data = join(directory, '..2026_12_02_15_00_00.000000001');
  mkdirSync(data, { recursive: true });
  for (const [key, text] of Object.entries(files)) writeFileSync(join(data, key), text, { mode: 0o400 });
  symlinkSync('..2026_12_02_15_00_00.000000001', join(directory, '..data'));
  for (const key of Object.keys(files)) symlinkSync(join('..data', key), join(directory, key));
}

const readAs = (uid: number, file: string) => spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', 'cat', file], { encoding: 'utf8' });
const modeOf = (path: string) => {
  const stat = statSync(path);
  return `${(stat.mode & 0o777).toString(8)} ${stat.uid}:${stat.gid}`;
};

describe('the secrets init container script', () => {
  it.skipIf(process.getuid?.() !== 0)('copies the Secret files 0400 into 0500 directories of the proxy UID, with CHOWN as the only capability', () => {
    const tls = join(root, 'tls-source');
    const tokens = join(root, 'sources', 'tokens');
    secretVolume(tls, { 'ca.crt': 'CERTIFICATE\n', 'ca.key': 'KEY\n' });
    secretVolume(tokens, { 'api-key': 'Bearer s3cret\n' });
    const target = join(root, 'private');
    mkdirSync(target, { mode: 0o777 });
    const script = privateFilesScript(target, [
      { source: join(tls, 'ca.crt'), target: 'tls/ca.crt' },
      { source: join(tls, 'ca.key'), target: 'tls/ca.key' },
      { source: join(tokens, 'api-key'), target: 'secrets/tokens/api-key' },
    ], PROXY_UID);
    execFileSync('setpriv', ['--bounding-set=-all,+chown', '--inh-caps=-all', '--', '/bin/sh', '-c', script], { stdio: 'pipe' });
    expect(['tls', 'tls/ca.crt', 'tls/ca.key', 'secrets', 'secrets/tokens', 'secrets/tokens/api-key'].map((path) => `${path} ${modeOf(join(target, path))}`)).toEqual([
      'tls 500 1337:1337',
      'tls/ca.crt 400 1337:1337',
      'tls/ca.key 400 1337:1337',
      'secrets 500 1337:1337',
      'secrets/tokens 500 1337:1337',
      'secrets/tokens/api-key 400 1337:1337',
    ]);
    expect(readAs(PROXY_UID, join(target, 'tls/ca.key')).stdout).toBe('KEY\n');
    expect(readAs(PROXY_UID, join(target, 'secrets/tokens/api-key')).stdout).toBe('Bearer s3cret\n');
    const other = readAs(OTHER_UID, join(target, 'tls/ca.key'));
    expect([other.status, other.stderr]).toEqual([1, expect.stringContaining('Permission denied')]);
  });

  it('refuses paths it would have to quote around (they come from checked Secret names and keys)', () => {
    expect(() => privateFilesScript('/p', [{ source: '/s/a b', target: 'x' }], 1)).toThrow(/unexpected source "\/s\/a b"/);
    expect(() => privateFilesScript('/p', [{ source: '/s/a', target: '../x' }], 1)).toThrow(/unexpected target "..\/x"/);
  });
});
