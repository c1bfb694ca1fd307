import { defineRule, type PlannedRule, varmorDialect } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import builtinRules from '@armorkit/builtin-rules';
import { describe, expect, it } from 'vitest';
import { seccomp } from '../src/plugin.js';
import { formatSeccompProfile, seccompArtifact } from '../src/profile/compile-plan.js';
import { enhanceProtectProfile } from '../src/profile/enhance-protect.js';
import { RulesTextCache } from '../src/profile/rules-text-cache.js';
import { seccompPolicy } from './support/policy.js';

const tester = new PolicyTester({ plugins: [varmorDialect(), seccomp()], rulePacks: [builtinRules] });

function policy(rules: string, more = ''): string {
  return seccompPolicy(`    enhanceProtect:\n      hardeningRules: [${rules}]\n${more}`);
}

const planOf = (yaml: string) => tester.plan(yaml).enforcers.Seccomp!;
const text = (yaml: string, texts?: RulesTextCache) => {
  const artifact = seccompArtifact(planOf(yaml), { specPointer: '/spec' }, {}, texts);
  if (!artifact.ok) throw new Error(JSON.stringify(artifact.errors));
  return artifact.value;
};

describe('RulesTextCache', () => {
  it('gives each plan the text it would have had without the cache', () => {
    const texts = new RulesTextCache(2);
    const yamls = [
      policy('disallow-create-user-ns'),
      policy('disallow-create-user-ns, disable-chmod-x-bit'),
      policy('disable-chmod-x-bit, disallow-create-user-ns'),
      policy('disallow-create-user-ns', '      auditViolations: true\n'),
      policy('disallow-create-user-ns', '      allowViolations: true\n'),
      policy('disallow-create-user-ns', '      syscallRawRules:\n      - names: [unshare]\n        action: SCMP_ACT_ERRNO\n'),
    ];
    // Twice round, past the capacity: hits, misses and evictions all give the uncached text.
    for (const yaml of [...yamls, ...yamls, ...yamls.slice().reverse()]) {
      const cached = text(yaml, texts);
      expect(cached.files[0]!.content).toBe(text(yaml).files[0]!.content);
      expect(cached.files[0]!.content).toBe(formatSeccompProfile(cached.data));
    }
  });

  it('tells apart rules of the same id that are not the same rule, and keeps each artifact its own data', () => {
    const texts = new RulesTextCache();
    const rule = (errnoRet: number) =>
      defineRule(
        { id: 'deny-mount', section: 'hardening', category: 'test', enforcers: ['Seccomp'], description: 'Forbid mount.' },
        { seccomp: { syscalls: [{ key: 'mount', names: ['mount'], args: [], errnoRet }] } },
      );
    const planned = (errnoRet: number): PlannedRule[] => [{ rule: rule(errnoRet), listedIn: 'hardening', pointer: '/spec/policy/enhanceProtect/hardeningRules/0' }];
    const make = (rules: PlannedRule[]) => () => formatSeccompProfile(enhanceProtectProfile(rules, [], { action: 'SCMP_ACT_ERRNO', logDenials: false }));
    const first = planned(1);
    const second = planned(38);
    expect(texts.text(first, 'deny', make(first))).toContain('"errnoRet": 1\n');
    expect(texts.text(second, 'deny', make(second))).toContain('"errnoRet": 38\n');
    expect(texts.text(first, 'deny', () => 'made again')).toBe('made again');
    expect(texts.text(first, 'deny', () => 'not made')).toBe('made again');

    const yaml = policy('disallow-create-user-ns');
    const cache = new RulesTextCache();
    const [one, two] = [text(yaml, cache), text(yaml, cache)];
    expect(one.files[0]!.content).toBe(two.files[0]!.content);
    expect(one.data).not.toBe(two.data);
    expect(one.data).toEqual(two.data);
  });
});
