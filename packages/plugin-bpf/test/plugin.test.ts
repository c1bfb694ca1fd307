import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import bpfDefault, { bpf } from '../src/index.js';
import { bpfTester, enhancePolicy } from './support/compile-policy.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

function compiled(options: Parameters<typeof bpf>[0] = { diskDevices: [] }) {
  const tester = bpfTester(options);
  return { engine: tester.engine, artifact: tester.compile(enhancePolicy('      hardeningRules: [disable-cap-all]\n'), 'BPF', { file: 'p.yaml' }) };
}

describe('the bpf plugin', () => {
  it('is the default export, named after its package', () => {
    expect(bpfDefault).toBe(bpf);
    const plugin = bpf();
    expect(plugin.name).toBe('bpf');
    expect(plugin.meta).toEqual({ name: packageJson.name, version: packageJson.version });
    expect(plugin.backends?.map((backend) => backend.enforcer)).toEqual(['BPF']);
  });

  it('loads into one mount namespace only', async () => {
    const { engine, artifact } = compiled();
    expect(await engine.load(artifact, { kind: 'host' })).toMatchObject({ ok: false, errors: [{ code: 'bpf-target-missing' }] });
  });

  it('says why it cannot confine a command where BPF-LSM is not active', async () => {
    const lsmPath = join(mkdtempSync(join(tmpdir(), 'armorkit-lsm-')), 'lsm');
    writeFileSync(lsmPath, 'lockdown,capability,landlock,yama,apparmor\n');
    const { engine, artifact } = compiled({ diskDevices: [], lsmPath });
    expect(await engine.confine(artifact)).toEqual({
      ok: false,
      errors: [
        {
          code: 'bpf-lsm-inactive',
          pointer: '',
          message: expect.stringMatching(/^BPF-LSM is not active in this kernel \(active LSMs: lockdown,capability,landlock,yama,apparmor\); boot with lsm=.*,bpf/),
        },
      ],
      warnings: [],
    });
  });
});
