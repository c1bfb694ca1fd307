import { describe, expect, it } from 'vitest';
import { defineRule, defineRulePack, normalizeRuleId } from '../src/rules/define.js';
import { RuleRegistry } from '../src/rules/registry.js';

const capNetRaw = defineRule(
  { id: 'disable-cap-net-raw', section: 'hardening', category: 'capability', description: 'no raw sockets', enforcers: ['AppArmor'] },
  { apparmor: { lines: [{ rule: 'capability net_raw,' }] } },
);
const metadata = defineRule(
  {
    id: 'block-access-to-metadata-service',
    aliases: ['disallow-metadata-service'],
    section: 'attackProtection',
    category: 'information-leak',
    description: 'no cloud metadata',
    enforcers: ['BPF'],
  },
  { bpf: { egress: [{ ip: '169.254.169.254' }] } },
);
const pack = defineRulePack({ name: 'test-pack', version: '1.0.0' }, [capNetRaw, metadata]);

describe('rule ids', () => {
  it('normalises like vArmor: lower case, _ → -, and trims stray whitespace', () => {
    expect(normalizeRuleId('Disable_Cap_Net_Raw')).toBe('disable-cap-net-raw');
    expect(normalizeRuleId('disallow-metadata-service\t')).toBe('disallow-metadata-service');
  });

  it('rejects ids that are not lower-case words joined by -', () => {
    expect(() =>
      defineRule({ id: 'Bad_Id', section: 'hardening', category: 'x', description: 'x', enforcers: [] }, {}),
    ).toThrow(/lower-case words/);
  });

  it('rejects a rule that declares an enforcer without a fragment for it', () => {
    expect(() =>
      defineRule({ id: 'no-fragment', section: 'hardening', category: 'x', description: 'x', enforcers: ['Seccomp'] }, {}),
    ).toThrow(/declares enforcers Seccomp but has no fragment/);
  });
});

describe('RuleRegistry', () => {
  const registry = new RuleRegistry();
  registry.register(pack);

  it('finds rules by id, alias and vArmor spellings', () => {
    expect(registry.lookup('disable_cap_net_raw').rule).toBe(capNetRaw);
    expect(registry.lookup('disallow-metadata-service').rule).toBe(metadata);
    expect(registry.packOf(metadata)).toBe('test-pack');
  });

  it('suggests the nearest id for a typo and nothing for a far-off name', () => {
    expect(registry.lookup('disable-cap-net-rw')).toEqual({ id: 'disable-cap-net-rw', suggestion: 'disable-cap-net-raw' });
    expect(registry.lookup('completely-unrelated-thing').suggestion).toBeUndefined();
  });

  it('lists rules sorted and per enforcer', () => {
    expect(registry.all().map((r) => r.meta.id)).toEqual(['block-access-to-metadata-service', 'disable-cap-net-raw']);
    expect(registry.forEnforcer('BPF')).toEqual([metadata]);
  });

  it('refuses a second pack that redefines a name, and registers nothing of it', () => {
    const clash = defineRulePack({ name: 'clash', version: '1.0.0' }, [
      defineRule({ id: 'fresh-rule', section: 'hardening', category: 'x', description: 'x', enforcers: [] }, {}),
      defineRule({ id: 'disallow-metadata-service', section: 'hardening', category: 'x', description: 'x', enforcers: [] }, {}),
    ]);
    expect(() => registry.register(clash)).toThrow(/already defined by test-pack/);
    expect(registry.lookup('fresh-rule').rule).toBeUndefined();
  });
});
