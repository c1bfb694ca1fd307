// The proxy's secrets in a pod, played for real (root): `armorkit k8s mutate --apply` on vArmor's secretRef example,
// then, in a mount and network namespace of the test's own with a tmpfs on /etc, the Secret volumes laid out as the
// kubelet writes them (root's, 0400), the secrets init container's command with CHOWN as its only capability, and the
// sidecar's command as the proxy's UID with no capability: it resolves the header secret from --secrets-dir and
// listens; without --secrets-dir it refuses to start; another UID cannot read the copies.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { armorkit } from './cli-process.js';

const REPO = new URL('../../../', import.meta.url).pathname;
const CORPUS = new URL('../../../../shared/corpus/varmor/ex7__mitm-dns-secret.yaml', import.meta.url).pathname;
const BUILT_CLI = new URL('../dist/bin.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'armorkit-pod-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Container {
  name: string;
  command: string[];
}
const canRun = process.getuid?.() === 0 && spawnSync('unshare', ['--version']).status === 0;

/** A shell word. */
const word = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

describe.skipIf(!canRun)('the NetworkProxy sidecar reads its secrets as its own UID only', { timeout: 180_000 }, () => {
  it('the init container copies them, the sidecar resolves the header from --secrets-dir and listens', () => {
    const applied = armorkit(['k8s', 'mutate', '--policies', CORPUS, '--apply', CORPUS], { cwd: REPO });
    expect(applied.status, applied.stderr).toBe(0);
    const deployment = parseAllDocuments(applied.stdout).map((document) => document.toJS() as { kind?: string; spec?: { template: { spec: { initContainers: Container[]; containers: Container[] } } } }).find((object) => object.kind === 'Deployment')!;
    const pod = deployment.spec!.template.spec;
    const init = pod.initContainers.find((container) => container.name === 'varmor-network-proxy-secrets')!;
    const sidecar = pod.containers.find((container) => container.name === 'varmor-network-proxy')!;
    expect(sidecar.command.slice(-2)).toEqual(['--secrets-dir', '/etc/armorkit/networkproxy-private/secrets']);

    expect(armorkit(['compile', '-e', 'networkproxy', '--out', join(dir, 'out'), CORPUS], { cwd: REPO }).status).toBe(0);
    const [config] = readdirSync(join(dir, 'out')).filter((name) => name.endsWith('.networkproxy.json'));
    expect(armorkit(['mitm-ca', '--out', join(dir, 'ca')], { cwd: REPO }).status).toBe(0);

    const proxy = (command: string[], uid: number) =>
      ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--', process.execPath, BUILT_CLI, ...command.slice(1)].map(word).join(' ');
    const withoutSecretsDir = sidecar.command.slice(0, -2);
    const script = `
      set -eu
      mount -t tmpfs tmpfs /etc
      ip link set lo up
      secret() { mkdir -p "$1"; cp "$2" "$1/$3"; chmod 0400 "$1/$3"; }
      secret /etc/armorkit/networkproxy ${word(join(dir, 'out', config!))} ${word(config!)}
      chmod 0444 /etc/armorkit/networkproxy/*
      secret /etc/armorkit/networkproxy-tls ${word(join(dir, 'ca', 'ca.crt'))} ca.crt
      secret /etc/armorkit/networkproxy-tls ${word(join(dir, 'ca', 'ca.key'))} ca.key
      printf 'Bearer sk-test' > ${word(join(dir, 'api-key'))}
      secret /etc/armorkit/networkproxy-secret-sources/openai-credentials ${word(join(dir, 'api-key'))} api-key
      mkdir -m 0777 /etc/armorkit/networkproxy-private
      setpriv --bounding-set=-all,+chown --inh-caps=-all -- ${init.command.map(word).join(' ')}
      stat -c '%n %a %u' /etc/armorkit/networkproxy-private/tls/ca.key /etc/armorkit/networkproxy-private/secrets/openai-credentials/api-key
      setpriv --reuid=65534 --regid=65534 --clear-groups -- cat /etc/armorkit/networkproxy-private/tls/ca.key 2>/dev/null || echo "65534 cannot read the key"
      ${proxy(withoutSecretsDir, 1337)} 2>&1 | grep -o 'secret openai-credentials/api-key: the environment variable ARMORKIT_SECRET_OPENAI_CREDENTIALS_API_KEY is not set' || true
      ${proxy(sidecar.command, 1337)} > ${word(join(dir, 'sidecar.log'))} 2>&1 &
      sidecar=$!
      while kill -0 "$sidecar" 2>/dev/null && ! grep -q 'listening on' ${word(join(dir, 'sidecar.log'))}; do sleep 0.2; done
      grep -o 'listening on 127.0.0.1:15001, \\[::1\\]:15001' ${word(join(dir, 'sidecar.log'))} || cat ${word(join(dir, 'sidecar.log'))}
      kill "$sidecar"; wait "$sidecar" || true
    `;
    const output = execFileSync('unshare', ['--mount', '--net', '--propagation', 'private', '/bin/bash', '-c', script], { encoding: 'utf8', timeout: 120_000 });
    expect(output.trim().split('\n')).toEqual([
      '/etc/armorkit/networkproxy-private/tls/ca.key 400 1337',
      '/etc/armorkit/networkproxy-private/secrets/openai-credentials/api-key 400 1337',
      '65534 cannot read the key',
      // Without --secrets-dir only the environment is asked, and the proxy refuses to start without the value.
      'secret openai-credentials/api-key: the environment variable ARMORKIT_SECRET_OPENAI_CREDENTIALS_API_KEY is not set',
      'listening on 127.0.0.1:15001, [::1]:15001',
    ]);
  });
});
