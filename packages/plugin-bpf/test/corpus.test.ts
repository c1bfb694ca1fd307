import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bpfContentSchema } from '@armorkit/core/schema';
import { errorsOf } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { bpfTester } from './support/compile-policy.js';

const CORPUS = new URL('../../../../shared/corpus/varmor/', import.meta.url).pathname;
const files = readdirSync(CORPUS).filter((name) => /bpf/i.test(name) || /enforcer:\s*\S*BPF/.test(readFileSync(join(CORPUS, name), 'utf8')));

/** Stands in for the Kubernetes integration: every Service has one cluster IP and one endpoint on 8443. */
const resolver = {
  services: () => ({ destinations: [{ ip: '10.96.0.10' }, { ip: '10.244.1.7', ports: [{ port: 8443 }] }] }),
  pods: () => ({ addresses: ['10.244.2.9'] }),
};
const tester = bpfTester({ resolver, diskDevices: ['sda', 'vda'] });

describe('the vArmor corpus policies that use BPF', () => {
  it('includes the BPF examples', () => {
    expect(files).toEqual(expect.arrayContaining(['ex2__vpol-bpf-enhance.yaml', 'perf__bpf-enhance.yaml', 'ex5__vpol-enhance.yaml']));
  });

  it.each(files)('%s', async (name) => {
    const yaml = readFileSync(join(CORPUS, name), 'utf8');
    if (name === 'ex5__vpol-enhance.yaml') {
      // Its toDestinations entry has no qualifiers (docs/compat.md): rejected by the schema, not compiled.
      await tester.assertInvalid({ yaml, file: name, stage: 'parse', errors: [{ code: 'required', pointer: '/spec/policy/enhanceProtect/bpfRawRules/network/egress/toDestinations/0/qualifiers' }] });
      return;
    }
    const policies = tester.parse(yaml, name);
    for (const index of policies.keys()) {
      const out = tester.compileResult(yaml, 'BPF', { file: name, policy: index });
      expect(errorsOf(out)).toEqual([]);
      if (!out.ok) return;
      const artifact = out.value;
      const content = artifact.files[0]!.content;
      expect(bpfContentSchema.safeParse(JSON.parse(content)).success).toBe(true);
      // Same input, same bytes.
      const again = tester.compileResult(yaml, 'BPF', { file: name, policy: index });
      expect(again.ok && again.value.files[0]!.content).toBe(content);
      const entries = artifact.data.entries;
      expect(entries.every((entry) => entry.key.length === 24 && entry.value.length === 256)).toBe(true);
      tester.assertGolden(`${name.replace(/\.yaml$/, '')}.bpf.json`, content);
    }
  });
});
