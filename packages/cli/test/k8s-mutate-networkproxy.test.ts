import { captureScript } from '@armorkit/plugin-networkproxy/capture';
import { describe, expect, it } from 'vitest';
import { armorkit } from './cli-process.js';

// `armorkit k8s mutate` on vArmor's NetworkProxy example (policy and Deployment in one file): the default engine's
// NetworkProxy plugin adds the capture init container, the secrets init container (MITM) and the proxy sidecar, and
// the mutated Deployment stays as it is.
const REPO = new URL('../../../', import.meta.url).pathname;
const CORPUS = new URL('../../../../shared/corpus/varmor/ex7__mitm-with-l4.yaml', import.meta.url).pathname;

describe('armorkit k8s mutate with a NetworkProxy policy', { timeout: 180_000 }, () => {
  it('patches in the init container (the capture script) and the sidecar; mutating the --apply output prints []', () => {
    const result = armorkit(['k8s', 'mutate', '--policies', CORPUS, CORPUS], { cwd: REPO });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('Deployment demo/mitm-with-l4: VarmorPolicy demo/mitm-with-l4 (profile varmor-demo-mitm-with-l4): 20 operations');
    const operations = JSON.parse(result.stdout) as { op: string; path: string; value: { name?: string; image?: string; command?: string[] } }[];
    const script = captureScript({ proxyUID: 1337, proxyPort: 15001, proxyAdminPort: 15000 });
    const init = operations.find((operation) => operation.path === '/spec/template/spec/initContainers/-')!.value;
    expect(init).toMatchObject({ name: 'varmor-network-proxy-init', image: 'armorkit/armorkit:0.1.0', command: ['/bin/sh', '-c', script.ok ? script.value : ''] });
    const sidecar = operations.find((operation) => operation.path === '/spec/template/spec/containers/-')!.value;
    expect(sidecar).toMatchObject({ name: 'varmor-network-proxy', command: ['armorkit', 'proxy', '--config', '/etc/armorkit/networkproxy/varmor-demo-mitm-with-l4.networkproxy.json', '--events', 'stderr'] });

    const applied = armorkit(['k8s', 'mutate', '--policies', CORPUS, '--apply', CORPUS], { cwd: REPO });
    expect(applied.status).toBe(0);
    const again = armorkit(['k8s', 'mutate', '--policies', CORPUS, '-'], { cwd: REPO, input: applied.stdout });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('[]\n');
    expect(again.stderr).toContain('Deployment demo/mitm-with-l4: VarmorPolicy demo/mitm-with-l4 (profile varmor-demo-mitm-with-l4): nothing to change');
  });
});
