import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileYaml, corpusFile, fixProfileName, policyYaml } from './helpers.js';

const golden = (name: string) => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');

// Golden files are committed and reviewed; a change in output must change them in the same commit.
const CORPUS_CASES = [
  ['ex1__vpol-apparmor-enhance.yaml', 'ex1-enhance-targets.apparmor'],
  ['perf__apparmor-enhance.yaml', 'perf-enhance.apparmor'],
  ['demo-CVE-2021-22555__policy.yaml', 'demo-cve-2021-22555.apparmor'],
  ['ex6__vpol-defense-in-depth.yaml', 'ex6-defense-in-depth.apparmor'],
  ['perf__apparmor-default.yaml', 'perf-runtime-default.apparmor'],
  ['ex1__vpol-apparmor-alwaysallow.yaml', 'ex1-always-allow.apparmor'],
] as const;

describe('golden profiles', () => {
  it.each(CORPUS_CASES)('%s', (file, expected) => {
    expect(compileYaml(fixProfileName(file, corpusFile(file)), file).data.text).toBe(golden(expected));
  });

  it('privileged, allowViolations+auditViolations, disk devices and exec rules', () => {
    const yaml = policyYaml({
      name: 'privileged',
      mode: 'EnhanceProtect',
      privileged: true,
      auditViolations: true,
      allowViolations: true,
      hardeningRules: ['disallow-debug-disk-device', 'disallow-mount-disk-device', 'disable-cap-privileged'],
      attackProtectionRules: [{ rules: ['disable-shell', 'mitigate-sa-leak'] }, { rules: ['disable-curl'], targets: ['/bin/bash'] }],
    });
    expect(compileYaml(yaml).data.text).toBe(golden('privileged-audit-allow.apparmor'));
  });

  it('BehaviorModeling', () => {
    expect(compileYaml(policyYaml({ name: 'modeling', mode: 'BehaviorModeling' })).data.text).toBe(golden('behavior-modeling.apparmor'));
  });
});
