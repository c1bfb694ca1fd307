import { describe, expect, it } from 'vitest';
import { enforcerFromId, splitEnforcerString } from '../src/enforcer.js';
import { violationAction } from '../src/modes/violation-action.js';

describe('splitEnforcerString', () => {
  it.each([
    ['AppArmor', ['AppArmor']],
    ['AppArmorBPFSeccomp', ['AppArmor', 'BPF', 'Seccomp']],
    ['NetworkProxyBPFSeccomp', ['BPF', 'Seccomp', 'NetworkProxy']],
    ['seccompapparmor', ['AppArmor', 'Seccomp']],
  ])('%s', (value, expected) => {
    expect(splitEnforcerString(value)).toEqual({ enforcers: expected, rest: '', duplicates: [] });
  });

  it('returns what it could not read, and duplicates', () => {
    expect(splitEnforcerString('AppArmorSELinux').rest).toBe('selinux');
    expect(splitEnforcerString('BPFBPF').duplicates).toEqual(['BPF']);
  });

  it('maps CLI ids to enforcers', () => {
    expect(enforcerFromId('networkproxy')).toBe('NetworkProxy');
    expect(enforcerFromId('selinux')).toBeUndefined();
  });
});

describe('violationAction (auditViolations × allowViolations)', () => {
  it.each([
    [false, false, 'deny'],
    [true, false, 'audit-deny'],
    [true, true, 'audit'],
    [false, true, 'allow'],
  ] as const)('audit=%s allow=%s → %s', (audit, allow, action) => {
    expect(violationAction(audit, allow)).toBe(action);
  });
});
