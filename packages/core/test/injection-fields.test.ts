import { describe, expect, it } from 'vitest';
import { enhance, load } from './varmor-helpers.js';

// Fields that end up in profile text or file names: a policy must not be able to write anything but one name or path.

describe('names and targets that would leave their place', () => {
  it.each([
    ['path traversal', 'a/../../../../../tmp/pwned'],
    ['a profile declaration', 'x {\n/** ux,\n}\nprofile y'],
    ['upper case', 'Web'],
    ['a space', 'web app'],
  ])('rejects metadata.name with %s', (_what, name) => {
    const text = enhance('hardeningRules: [disable-cap-net-raw]', 'AppArmor').replace('  name: demo', `  name: ${JSON.stringify(name)}`);
    expect(load(text).errors.map((e) => [e.pointer, e.code])).toContainEqual(['/metadata/name', 'invalid-value']);
  });

  it('rejects a namespace that is not a DNS label', () => {
    const text = enhance('hardeningRules: [disable-cap-net-raw]', 'AppArmor').replace('  namespace: demo', '  namespace: "a.b"');
    expect(load(text).errors.map((e) => e.pointer)).toEqual(['/metadata/namespace']);
  });

  it.each([
    ['an extra rule', '/bin/x rix, /** Ux, /y'],
    ['a new profile', '/bin/x rix, } profile evil2 flags=(unconfined) { /y'],
    ['a space', '/usr/bin/my shell'],
    ['an arrow', '/bin/x->y'],
    ['a relative path', 'bash'],
    ['a newline', '/bin/bash\n/** Ux,'],
  ])('rejects a target with %s, for attack-protection groups and raw rules alike', (_what, target) => {
    const group = enhance(`attackProtectionRules:\n- rules: [disable-write-etc]\n  targets: [${JSON.stringify(target)}]`, 'AppArmor');
    expect(load(group).errors.map((e) => e.pointer)).toEqual(['/spec/policy/enhanceProtect/attackProtectionRules/0/targets/0']);
    const raw = enhance(`appArmorRawRules:\n- rules: "deny /etc/hostname r,"\n  targets: [${JSON.stringify(target)}]`, 'AppArmor');
    expect(load(raw).errors.map((e) => e.pointer)).toEqual(['/spec/policy/enhanceProtect/appArmorRawRules/0/targets/0']);
  });

  it('accepts ordinary targets, globs included', () => {
    const text = enhance('attackProtectionRules:\n- rules: [disable-write-etc]\n  targets: [/bin/bash, /usr/bin/python3.11, /opt/app/bin/*]', 'AppArmor');
    expect(load(text).errors).toEqual([]);
  });
});
