import { apparmorTester, corpusFile, fixProfileName, policyYaml } from './helpers.js';

// Golden files are committed and reviewed; a change in output must change them in the same commit
// (UPDATE_GOLDENS=1 rewrites them for review).
const CORPUS_CASES = [
  ['ex1__vpol-apparmor-enhance.yaml', 'ex1-enhance-targets.apparmor'],
  ['perf__apparmor-enhance.yaml', 'perf-enhance.apparmor'],
  ['demo-CVE-2021-22555__policy.yaml', 'demo-cve-2021-22555.apparmor'],
  ['ex6__vpol-defense-in-depth.yaml', 'ex6-defense-in-depth.apparmor'],
  ['perf__apparmor-default.yaml', 'perf-runtime-default.apparmor'],
  ['ex1__vpol-apparmor-alwaysallow.yaml', 'ex1-always-allow.apparmor'],
] as const;

apparmorTester().run('golden profiles', {
  valid: [
    ...CORPUS_CASES.map(([file, golden]) => ({ name: file, file, yaml: fixProfileName(file, corpusFile(file)), enforcers: ['AppArmor' as const], golden })),
    {
      name: 'privileged, allowViolations+auditViolations, disk devices and exec rules',
      yaml: policyYaml({
        name: 'privileged',
        mode: 'EnhanceProtect',
        privileged: true,
        auditViolations: true,
        allowViolations: true,
        hardeningRules: ['disallow-debug-disk-device', 'disallow-mount-disk-device', 'disable-cap-privileged'],
        attackProtectionRules: [{ rules: ['disable-shell', 'mitigate-sa-leak'] }, { rules: ['disable-curl'], targets: ['/bin/bash'] }],
      }),
      golden: 'privileged-audit-allow.apparmor',
    },
    { name: 'BehaviorModeling', yaml: policyYaml({ name: 'modeling', mode: 'BehaviorModeling' }), golden: 'behavior-modeling.apparmor' },
  ],
});
