import { describe, expect, it } from 'vitest';
import { type AppArmorPlan, errorsOf } from '@armorkit/core';
import { compileAppArmor } from '../src/compile/compile-profile.js';
import { diskDevicesFromPartitions, expandDiskDevices } from '../src/disk-devices.js';
import { groupTargets } from '../src/compile/targets.js';
import { profileFromBehaviorModel } from '../src/compile/behavior-model.js';
import { apparmorTester, compileYaml, planOf, policyYaml } from './helpers.js';

const line = (text: string, pattern: string) => text.split('\n').find((l) => l.includes(pattern))?.trim();

describe('compile', () => {
  it.each([
    [false, false, 'deny capability net_raw,', 'deny /**/curl rx,'],
    [true, false, 'audit deny capability net_raw,', 'audit deny /**/curl rx,'],
    [true, true, 'audit capability net_raw,', 'audit /**/curl rix,'],
    [false, true, 'capability net_raw,', '/**/curl rix,'],
  ])('audit=%s allow=%s writes %s and %s', (auditViolations, allowViolations, capability, exec) => {
    const text = compileYaml(policyYaml({ mode: 'EnhanceProtect', auditViolations, allowViolations, hardeningRules: ['disable-cap-net-raw'], attackProtectionRules: [{ rules: ['disable-curl'] }] })).data.text;
    expect(text.split('\n').map((l) => l.trim())).toContain(capability);
    expect(text.split('\n').map((l) => l.trim())).toContain(exec);
  });

  it('relaxes the RuntimeDefault denies with allowViolations (wklx → wklix), as vArmor does', () => {
    const text = compileYaml(policyYaml({ mode: 'EnhanceProtect', allowViolations: true, auditViolations: true })).data.text;
    expect(line(text, '/sys/firmware/**')).toBe('audit /sys/firmware/** rwklix,');
    expect(text).toContain('\n  audit mount,\n');
  });

  it('uses the AlwaysAllow base when privileged', () => {
    const text = compileYaml(policyYaml({ mode: 'EnhanceProtect', privileged: true })).data.text;
    expect(text).toContain('  pivot_root,\n');
    expect(text).not.toContain('@{PROC}');
  });

  it('marks BehaviorModeling complain and DefenseInDepth with allowViolations complain', () => {
    const modeling = compileYaml(policyYaml({ mode: 'BehaviorModeling' }));
    expect(modeling.profileMode).toBe('complain');
    expect(modeling.data.text).toContain('flags=(attach_disconnected,mediate_deleted,complain)');
    expect(compileYaml(policyYaml({ mode: 'DefenseInDepth', allowViolations: true })).profileMode).toBe('complain');
    expect(compileYaml(policyYaml({ mode: 'DefenseInDepth' })).profileMode).toBe('enforce');
  });

  it('is deterministic and names the artifact file', () => {
    const yaml = policyYaml({ mode: 'EnhanceProtect', hardeningRules: ['disable-cap-all'], attackProtectionRules: [{ rules: ['disable-shell'], targets: ['/bin/x'] }] });
    const a = compileYaml(yaml);
    expect(compileYaml(yaml).data.text).toBe(a.data.text);
    expect(a.files).toEqual([{ suffix: 'apparmor', content: a.data.text }]);
    expect(a.profileName).toBe('varmor-demo-demo');
  });

  it('maps every line to its origin', () => {
    const a = compileYaml(policyYaml({ mode: 'EnhanceProtect', hardeningRules: ['disable-cap-net-raw'], appArmorRawRules: [{ rules: 'deny /a r,\n\ndeny /b r,' }] }));
    const lines = a.data.text.split('\n');
    const at = (text: string) => a.data.origins[lines.findIndex((l) => l.trim() === text)];
    expect(a.data.origins.length).toBe(lines.length - 1);
    expect(at('deny capability net_raw,')).toEqual({ pointer: '/spec/policy/enhanceProtect/hardeningRules/0', source: 'rule disable-cap-net-raw' });
    expect(at('deny /b r,')).toEqual({ pointer: '/spec/policy/enhanceProtect/appArmorRawRules/0/rules', source: 'raw rule line 3', line: 3, column: 1 });
  });

  it('writes raw rules and custom profiles from the tree, never the user\'s bytes', () => {
    const raw = 'audit   deny\t/etc/hosts   r ,  # a note }\nr /tmp/x,\n#include <abstractions/base>';
    const a = compileYaml(policyYaml({ mode: 'EnhanceProtect', appArmorRawRules: [{ rules: raw }] }));
    const custom = (a.data.text.split('# Custom Rules\n')[1] ?? '').split('\n').slice(0, 3);
    expect(custom).toEqual(['  audit deny /etc/hosts r,', '  /tmp/x r,', '  include <abstractions/base>']);
    expect(a.data.text).not.toContain('a note');
    const profile = 'include <tunables/global>\nprofile varmor-demo-demo flags=(mediate_deleted, attach_disconnected) { # opening\n  capability   chown,\n}   # the end\n';
    const b = compileYaml(policyYaml({ mode: 'DefenseInDepth', customProfile: profile }));
    expect(b.data.text).toBe('abi <abi/3.0>,\n#include <tunables/global>\n\nprofile varmor-demo-demo flags=(attach_disconnected,mediate_deleted) {\n  capability chown,\n}\n');
  });

  it('merges identical targets and identical rule sets order-insensitively (quirk Q12)', () => {
    const plan = planOf(
      policyYaml({
        mode: 'EnhanceProtect',
        attackProtectionRules: [
          { rules: ['mitigate-sa-leak', 'disable-curl'], targets: ['/bin/bash', '/bin/sh', '/usr/bin/bash'] },
          { rules: ['disable-curl', 'mitigate-sa-leak'], targets: ['/bin/zsh'] },
        ],
        appArmorRawRules: [{ rules: 'deny /etc/hosts r,', targets: ['/bin/sh', '/bin/webshell'] }],
      }),
    );
    const groups = groupTargets(plan.rules, plan.rawRules).map((g) => ({ targets: g.targets, rules: g.rules.map((r) => r.rule.meta.id), raw: g.rawRules.map((r) => r.rules) }));
    expect(groups).toEqual([
      { targets: ['/bin/bash', '/usr/bin/bash', '/bin/zsh'], rules: ['mitigate-sa-leak', 'disable-curl'], raw: [] },
      { targets: ['/bin/sh'], rules: ['mitigate-sa-leak', 'disable-curl'], raw: ['deny /etc/hosts r,'] },
      { targets: ['/bin/webshell'], rules: [], raw: ['deny /etc/hosts r,'] },
    ]);
  });

  it('rejects a custom profile that declares another profile or is misnamed', () => {
    const tester = apparmorTester();
    const compile = (customProfile: string) => {
      const outcome = tester.outcome({ yaml: policyYaml({ mode: 'DefenseInDepth', customProfile }), file: 'p.yaml', enforcers: ['AppArmor'] });
      return outcome.ok ? [] : outcome.errors.map((x) => x.message);
    };
    expect(compile('profile varmor-demo-demo {\n  file,\n}\nprofile docker-default {\n}\n')).toEqual(['line 4, column 1: declares a second profile; only varmor-demo-demo is allowed']);
    expect(compile('profile other {\n}\n')).toEqual(['line 1, column 9: the profile must be named varmor-demo-demo, not other']);
    expect(compile('#include "/etc/passwd"\nprofile varmor-demo-demo {\n}\n')[0]).toMatch(/only <tunables\/global> may be included/);
  });

  it('builds DefenseInDepth on a behaviour model, or says the model is missing', () => {
    const plan: AppArmorPlan = { ...planOf(policyYaml({ mode: 'DefenseInDepth' })), build: { kind: 'BehaviorModel' } };
    expect(errorsOf(compileAppArmor(plan)).map((e) => e.code)).toEqual(['behavior-model-missing']);
    const model = { profiles: ['varmor-demo-demo'], executions: ['/bin/ls'], files: [{ path: '/etc/passwd', owner: true, permissions: ['r'] }, { path: '/tmp/x', permissions: ['w', 'a'] }], capabilities: ['chown'] };
    const compiled = compileAppArmor(plan, { behaviorModel: model });
    const text = compiled.ok ? compiled.value.data.text : '';
    expect(text).toContain('  /bin/ls ix,\n');
    expect(text).toContain('  owner /etc/passwd r,\n');
    expect(text).toContain('  /tmp/x w,\n');
    expect(profileFromBehaviorModel({ profiles: [] }).error).toMatch(/no AppArmor profile/);
  });

  it('leaves disk devices to the loader and expands only the recorded markers', () => {
    const a = compileYaml(policyYaml({ mode: 'EnhanceProtect', privileged: true, hardeningRules: ['disallow-debug-disk-device', 'disallow-mount-disk-device'] }));
    expect(a.data.text).not.toContain('{{');
    const devices = diskDevicesFromPartitions('major minor  #blocks  name\n\n   8        0  488386584 sda\n   8        1     524288 sda1\n 259        0  1000 nvme0n1\n');
    expect(devices).toEqual(['nvme0n1', 'sda', 'sda1']);
    const expanded = expandDiskDevices(a.data, devices);
    expect(expanded).toContain('  deny /dev/sda1 rw,\n');
    expect(expanded).toContain('  deny mount /dev/nvme0n1,\n');
    expect(expanded).not.toContain('<disk>');
  });
});
