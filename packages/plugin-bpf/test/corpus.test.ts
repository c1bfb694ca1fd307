import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bpfContentSchema } from '@armorkit/core/schema';
import { createEngine, errorsOf, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { describe, expect, it } from 'vitest';
import { bpf } from '../src/plugin.js';

const CORPUS = new URL('../../../../shared/corpus/varmor/', import.meta.url).pathname;
const files = readdirSync(CORPUS).filter((name) => /bpf/i.test(name) || /enforcer:\s*\S*BPF/.test(readFileSync(join(CORPUS, name), 'utf8')));

/** Stands in for the Kubernetes integration: every Service has one cluster IP and one endpoint on 8443. */
const resolver = {
  services: () => ({ destinations: [{ ip: '10.96.0.10' }, { ip: '10.244.1.7', ports: [{ port: 8443 }] }] }),
  pods: () => ({ addresses: ['10.244.2.9'] }),
};
const engine = createEngine({ plugins: [varmorDialect(), bpf({ resolver, diskDevices: ['sda', 'vda'] })], rulePacks: [builtinRules] });

describe('the vArmor corpus policies that use BPF', () => {
  it('includes the BPF examples', () => {
    expect(files).toEqual(expect.arrayContaining(['ex2__vpol-bpf-enhance.yaml', 'perf__bpf-enhance.yaml', 'ex5__vpol-enhance.yaml']));
  });

  it.each(files)('%s', async (name) => {
    const parsed = engine.parse(readFileSync(join(CORPUS, name), 'utf8'), name);
    if (name === 'ex5__vpol-enhance.yaml') {
      // Its toDestinations entry has no qualifiers (docs/compat.md): rejected by the schema, not compiled.
      expect(parsed.errors.map((e) => e.pointer)).toEqual(['/spec/policy/enhanceProtect/bpfRawRules/network/egress/toDestinations/0/qualifiers']);
      return;
    }
    expect(parsed.errors).toEqual([]);
    for (const policy of parsed.policies) {
      const { plan, errors } = engine.resolve(policy);
      expect(errors).toEqual([]);
      const out = engine.compileEnforcer(plan!, 'BPF');
      expect(errorsOf(out)).toEqual([]);
      if (!out.ok) return;
      const artifact = out.value;
      const content = artifact.files[0]!.content;
      expect(bpfContentSchema.safeParse(JSON.parse(content)).success).toBe(true);
      // Same input, same bytes.
      const again = engine.compileEnforcer(plan!, 'BPF');
      expect(again.ok && again.value.files[0]!.content).toBe(content);
      const entries = artifact.data.entries;
      expect(entries.every((entry) => entry.key.length === 24 && entry.value.length === 256)).toBe(true);
      await expect(content).toMatchFileSnapshot(`__golden__/${name.replace(/\.yaml$/, '')}.bpf.json`);
    }
  });
});
