import { builtinRules } from '@armorkit/builtin-rules';
import { describe, expect, it } from 'vitest';
import { type AppArmorArtifact } from '../src/compile/compile-profile.js';
import { findApparmorParser } from '../src/verify/apparmor-parser.js';
import { verifyWithParser } from '../src/verify/verify-artifact.js';
import { apparmorTester, compileYaml, corpusFile, fixProfileName, type PolicyShape, policyYaml } from './helpers.js';

const parser = findApparmorParser();

// apparmor_parser is a dependency `make` installs: its absence is a failure, not a reason to skip.
describe('apparmor_parser', () => {
  it('is installed', () => {
    expect(parser, 'apparmor_parser (Debian package apparmor)').toBeDefined();
  });
});
const ACTIONS = [
  { auditViolations: false, allowViolations: false },
  { auditViolations: true, allowViolations: false },
  { auditViolations: true, allowViolations: true },
  { auditViolations: false, allowViolations: true },
];

/** Every mode × privileged × the four audit/allow combinations × every built-in rule × with and without targets. */
function matrix(): { label: string; shape: PolicyShape }[] {
  const shapes: { label: string; shape: PolicyShape }[] = [
    { label: 'AlwaysAllow', shape: { mode: 'AlwaysAllow' } },
    { label: 'RuntimeDefault', shape: { mode: 'RuntimeDefault' } },
    { label: 'BehaviorModeling', shape: { mode: 'BehaviorModeling' } },
  ];
  for (const allowViolations of [false, true]) {
    for (const targets of [undefined, ['/bin/grep', '/usr/bin/grep']]) {
      shapes.push({
        label: `DefenseInDepth allow=${allowViolations} targets=${Boolean(targets)}`,
        shape: { mode: 'DefenseInDepth', allowViolations, appArmorRawRules: [{ rules: 'deny /etc/hostname r,\naudit /etc/hosts r,', ...(targets ? { targets } : {}) }] },
      });
    }
  }
  for (const rule of builtinRules.rules) {
    const list = rule.meta.section === 'hardening' ? 'hardeningRules' : rule.meta.section === 'vulMitigation' ? 'vulMitigationRules' : undefined;
    for (const privileged of [false, true]) {
      for (const action of ACTIONS) {
        for (const withTargets of [false, true]) {
          const shape: PolicyShape = { mode: 'EnhanceProtect', privileged, ...action };
          if (withTargets) {
            // Targets exist for attack-protection groups only; any rule may be listed there (vArmor applies it).
            shape.attackProtectionRules = [{ rules: [rule.meta.id], targets: ['/bin/bash', '/usr/bin/bash'] }];
            shape.appArmorRawRules = [{ rules: 'deny /etc/hostname r,', targets: ['/bin/bash'] }];
          } else if (list) {
            shape[list] = [rule.meta.id];
          } else {
            shape.attackProtectionRules = [{ rules: [rule.meta.id] }];
          }
          shapes.push({ label: `${rule.meta.id} privileged=${privileged} ${JSON.stringify(action)} targets=${withTargets}`, shape });
        }
      }
    }
  }
  return shapes;
}

describe('apparmor_parser accepts every generated profile', () => {
  // Each profile also goes through the backstop (apparmor_parser -N and -p): about 0.1 s a profile on two cores.
  it('the whole matrix', { timeout: 300_000 }, async () => {
    const tester = apparmorTester();
    const cases = matrix();
    expect(cases.length).toBe(7 + builtinRules.rules.length * 2 * 4 * 2);
    const artifacts = cases.map(({ shape }, i) => compileYaml(policyYaml({ ...shape, name: `m${i}` }), 'matrix.yaml', tester));
    // Profiles that differ only in their name check the same thing: keep one of each.
    const distinct = new Map<string, number>();
    artifacts.forEach((artifact, i) => {
      const key = artifact.data.text.split(artifact.profileName).join('NAME');
      if (!distinct.has(key)) distinct.set(key, i);
    });
    const indexes = [...distinct.values()];
    const failures: string[] = [];
    const batches: number[][] = [];
    for (let start = 0; start < indexes.length; start += 40) batches.push(indexes.slice(start, start + 40));
    // Two parsers at a time (two cores); -O 0 skips DFA optimisation, which checks nothing more.
    const worker = async () => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) {
        const slice = batch.map((i) => artifacts[i] as AppArmorArtifact);
        const results = await verifyWithParser(parser as string, slice.map((a) => ({ profileName: a.profileName, data: a.data })), ['-O', '0']);
        results.forEach((errors, j) => {
          if (errors.length > 0) failures.push(`${cases[batch[j] as number]?.label}: ${errors.map((error) => `${error.pointer} ${error.message}`).join('; ')}`);
        });
      }
    };
    await Promise.all([worker(), worker()]);
    expect(indexes.length).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
  });

  it('accepts the corpus policies', async () => {
    const files = ['ex1__vpol-apparmor-enhance.yaml', 'ex1__vpol-apparmor-alwaysallow.yaml', 'perf__apparmor-enhance.yaml', 'perf__apparmor-default.yaml', 'perf__apparmor-always.yaml', 'demo-CVE-2021-22555__policy.yaml', 'ex6__vpol-defense-in-depth.yaml'];
    const artifacts = files.map((file) => compileYaml(fixProfileName(file, corpusFile(file)), file));
    const results = await verifyWithParser(parser as string, artifacts.map((a) => ({ profileName: a.profileName, data: a.data })));
    expect(results).toEqual(files.map(() => []));
  });
});
