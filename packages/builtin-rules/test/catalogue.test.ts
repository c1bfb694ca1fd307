import { RuleRegistry, enforcerId, type RuleDefinition } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import builtinRulesDefault from '../src/index.js';
import { builtinRules } from '../src/catalogue.js';
import { CAPABILITIES } from '../src/capabilities.js';
import { capabilityRules } from '../src/capability.js';

const rules = builtinRules.rules;
const registry = new RuleRegistry();
registry.register(builtinRules);

/** The catalogue as `armorkit rules --format json` prints it: meta and fragments, sorted by id. */
function catalogueJson(all: readonly RuleDefinition[]): string {
  const sorted = [...all].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
  return JSON.stringify(sorted.map(({ meta, fragments }) => ({ ...meta, fragments })), null, 2);
}

describe('builtinRules', () => {
  it('is the default export and carries the package name and version', () => {
    expect(builtinRulesDefault).toBe(builtinRules);
    expect(builtinRules.meta.name).toBe('@armorkit/builtin-rules');
    expect(builtinRules.meta.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('has unique ids and aliases', () => {
    const names = rules.flatMap((rule) => [rule.meta.id, ...rule.meta.aliases]);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([
    ['disallow-load-ebpf', 'disallow-load-bpf-prog'],
    ['disallow-metadata-service', 'block-access-to-metadata-service'],
    ['disable-ipv4', 'disable-inet'],
    ['disable-ipv6', 'disable-inet6'],
    ['DISABLE_CAP_NET_RAW', 'disable-cap-net-raw'],
  ])('resolves %s to %s', (name, id) => {
    expect(registry.lookup(name).rule?.meta.id).toBe(id);
  });

  it('has a fragment for every declared enforcer and none for others', () => {
    for (const rule of rules) {
      const declared = rule.meta.enforcers.map(enforcerId).sort();
      const present = Object.keys(rule.fragments).filter((key) => rule.fragments[key] !== undefined).sort();
      expect(present, rule.meta.id).toEqual(declared);
    }
  });

  it('has non-empty fragments', () => {
    for (const { meta, fragments } of rules) {
      if (fragments.apparmor) expect(fragments.apparmor.lines.length, meta.id).toBeGreaterThan(0);
      if (fragments.seccomp) expect(fragments.seccomp.syscalls.length, meta.id).toBeGreaterThan(0);
      if (fragments.bpf) expect(Object.values(fragments.bpf).some((v) => Array.isArray(v) ? v.length > 0 : v), meta.id).toBe(true);
    }
  });

  it('writes AppArmor lines that end in a comma and carry no qualifier', () => {
    for (const { meta, fragments } of rules) {
      for (const line of fragments.apparmor?.lines ?? []) {
        if ('rule' in line) {
          expect(line.rule, meta.id).toMatch(/,$/);
          expect(line.rule, meta.id).not.toMatch(/^(deny|audit|allow)\b/);
        }
      }
    }
  });

  it('has exactly one rule per capability (41)', () => {
    expect(CAPABILITIES).toHaveLength(41);
    expect(capabilityRules).toHaveLength(41);
    expect(capabilityRules.map((r) => r.meta.id)).toContain('disable-cap-checkpoint-restore');
    expect(capabilityRules.map((r) => r.meta.id)).toContain('disable-cap-dac-read-search');
  });

  it('has the three capability sets with 1, 40 and 27 AppArmor lines', () => {
    const lines = (id: string) => registry.lookup(id).rule?.fragments.apparmor?.lines.length;
    expect(lines('disable-cap-all')).toBe(1);
    expect(lines('disable-cap-all-except-net-bind-service')).toBe(40);
    expect(lines('disable-cap-privileged')).toBe(27);
  });

  it('counts rules per category and section', () => {
    const count = (key: (r: RuleDefinition) => string) =>
      Object.fromEntries(
        [...new Set(rules.map(key))].sort().map((value) => [value, rules.filter((r) => key(r) === value).length]),
      );
    expect(count((r) => r.meta.category)).toEqual({
      capability: 41,
      'capability-set': 3,
      'escape-pattern': 13,
      'exploit-vector': 5,
      'information-leak': 9,
      network: 9,
      'sensitive-operation': 13,
      'vulnerability-mitigation': 5,
    });
    expect(count((r) => r.meta.section)).toEqual({ attackProtection: 31, hardening: 62, vulMitigation: 5 });
    expect(rules).toHaveLength(98);
  });

  it('filters clone as well as unshare for disallow-create-user-ns, and fchmodat2 for chmod rules', () => {
    const keys = (id: string) => registry.lookup(id).rule?.fragments.seccomp?.syscalls.map((s) => s.key);
    expect(keys('disallow-create-user-ns')).toEqual(['unshare', 'clone', 'clone3']);
    expect(keys('disable-chmod-x-bit')).toContain('fchmodat2');
    expect(keys('disable-chmod-s-bit')).toContain('fchmodat2');
  });

  it('lists CVEs for vulnerability mitigations', () => {
    for (const rule of rules.filter((r) => r.meta.section === 'vulMitigation')) {
      expect(rule.meta.cves.length, rule.meta.id).toBeGreaterThan(0);
    }
  });

  it('matches the catalogue snapshot', async () => {
    await expect(catalogueJson(rules)).toMatchFileSnapshot('./__snapshots__/catalogue.json');
  });
});
