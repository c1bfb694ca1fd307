import { describe, expect, it } from 'vitest';
import { profileNameFor } from '../src/schema/varmor/index.js';

describe('profileNameFor', () => {
  it('names namespaced policies after their namespace', () => {
    expect(profileNameFor({ kind: 'VarmorPolicy', metadata: { name: 'Demo-1', namespace: 'Team' } })).toBe('varmor-team-demo-1');
    expect(profileNameFor({ kind: 'VarmorPolicy', metadata: { name: 'p' } })).toBe('varmor-default-p');
  });

  it("names cluster policies after vArmor's namespace", () => {
    expect(profileNameFor({ kind: 'VarmorClusterPolicy', metadata: { name: 'c' } })).toBe('varmor-cluster-varmor-c');
    expect(profileNameFor({ kind: 'VarmorClusterPolicy', metadata: { name: 'c' } }, { varmorNamespace: 'sec' })).toBe('varmor-cluster-sec-c');
  });
});
