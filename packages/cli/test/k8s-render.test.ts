import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parseYamlStream } from '@armorkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

const scratch = mkdtempSync(join(tmpdir(), 'armorkit-k8s-render-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t.endsWith('\n') ? t : t + '\n'), err: (t) => (err += t.endsWith('\n') ? t : t + '\n'), cwd: scratch });
  return { code, out, err };
}

const mode = (path: string) => statSync(path).mode & 0o777;
const kinds = (text: string) => parseYamlStream(text, 'out.yaml').documents.map((document) => (document.data as { kind: string }).kind);

describe('armorkit k8s render', () => {
  it('prints the manifests as one YAML stream', async () => {
    const { code, out, err } = await run(['k8s', 'render']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(kinds(out)).toEqual([
      'Namespace', 'CustomResourceDefinition', 'CustomResourceDefinition', 'CustomResourceDefinition', 'CustomResourceDefinition', 'CustomResourceDefinition', 'CustomResourceDefinition',
      'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding',
      'Secret', 'Deployment', 'Service', 'Service', 'DaemonSet', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
    ]);
  });

  it('writes the stream 0600 and new TLS files (key 0600), and reuses them on the next render', async () => {
    const tlsDir = join(scratch, 'tls');
    const out = join(scratch, 'armorkit.yaml');
    const first = await run(['k8s', 'render', '--namespace', 'security', '--tls-dir', tlsDir, '--out', out]);
    expect(first.code).toBe(0);
    expect(first.err).toContain('wrote a new CA and serving certificate');
    expect(mode(out)).toBe(0o600);
    expect(mode(join(tlsDir, 'tls.key'))).toBe(0o600);
    expect(mode(join(tlsDir, 'ca.crt'))).toBe(0o644);
    expect(new X509Certificate(readFileSync(join(tlsDir, 'tls.crt'))).checkHost('armorkit-webhook.security.svc')).toBe('armorkit-webhook.security.svc');
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(Buffer.from(readFileSync(join(tlsDir, 'ca.crt'), 'utf8')).toString('base64'));
    const second = await run(['k8s', 'render', '--namespace', 'security', '--tls-dir', tlsDir]);
    expect(second.err).toContain('reusing the CA and serving certificate');
    expect(second.out).toContain(Buffer.from(readFileSync(join(tlsDir, 'ca.crt'), 'utf8')).toString('base64'));
  });

  it('refuses TLS files that do not serve the namespace, and half a TLS directory', async () => {
    const tlsDir = join(scratch, 'tls');
    const other = await run(['k8s', 'render', '--namespace', 'elsewhere', '--tls-dir', tlsDir]);
    expect(other.code).toBe(1);
    expect(other.err).toMatch(/tls\.crt does not name armorkit-webhook\.elsewhere\.svc/);
    const half = join(scratch, 'half');
    await run(['k8s', 'render', '--tls-dir', half]);
    rmSync(join(half, 'tls.key'));
    const partial = await run(['k8s', 'render', '--tls-dir', half]);
    expect(partial.code).toBe(1);
    expect(partial.err).toMatch(/holds ca\.crt, tls\.crt but not tls\.key/);
  });

  it('reads values, and refuses a bad one with file:line:col and its pointer', async () => {
    const good = join(scratch, 'values.yaml');
    writeFileSync(good, 'certificates:\n  source: cert-manager\nagent:\n  enabled: true\n');
    const { code, out } = await run(['k8s', 'render', '--values', good]);
    expect(code).toBe(0);
    expect(kinds(out)).toEqual(expect.arrayContaining(['Certificate', 'Issuer', 'DaemonSet']));
    expect(kinds(out)).not.toContain('Secret');
    const bad = join(scratch, 'bad.yaml');
    writeFileSync(bad, 'webhook:\n  mutatingFailurePolicy: Sometimes\n');
    const refused = await run(['k8s', 'render', '--values', bad]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(new RegExp(`^${bad}:2:26: /webhook/mutatingFailurePolicy: .*"Fail"\\|"Ignore"`, 'm'));
    expect(refused.out).toBe('');
  });

  it('exits 2 on a missing values file or a bad --namespace, without a stack trace', async () => {
    const missing = await run(['k8s', 'render', '--values', join(scratch, 'none.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read .*none\.yaml: ENOENT/);
    const namespace = await run(['k8s', 'render', '--namespace', 'Not_A_Namespace']);
    expect(namespace.code).toBe(2);
    expect(namespace.err).not.toMatch(/\n\s+at /);
  });
});
