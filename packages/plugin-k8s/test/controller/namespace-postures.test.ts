import { describe, expect, it } from 'vitest';
import { NamespacePostures } from '../../src/controller/namespace-postures.js';

describe('NamespacePostures', () => {
  it('keeps the three posture annotations only, and says when the postures they set change', () => {
    const postures = new NamespacePostures();
    expect(postures.lookup('demo')).toBeUndefined();
    expect(postures.update('demo', { team: 'web' })).toBe(false);
    expect(postures.lookup('demo')).toBeUndefined();
    expect(postures.update('demo', { team: 'web', 'kubearmor-file-posture': 'Block' })).toBe(true);
    expect(postures.lookup('demo')).toEqual({ 'kubearmor-file-posture': 'Block' });
    expect(postures.revision('demo')).toBe(1);
    // Another spelling of the same posture, or another annotation: nothing to compile again.
    expect(postures.update('demo', { team: 'api', 'kubearmor-file-posture': 'block' })).toBe(false);
    expect(postures.revision('demo')).toBe(1);
    // An invalid value means the default: a change from block.
    expect(postures.update('demo', { 'kubearmor-file-posture': 'deny' })).toBe(true);
    expect(postures.update('demo', { 'kubearmor-file-posture': 'allow' })).toBe(false);
    expect(postures.update('demo', { 'kubearmor-network-posture': 'block' })).toBe(true);
    expect(postures.update('demo', undefined)).toBe(true);
    expect(postures.lookup('demo')).toBeUndefined();
    expect(postures.revision('demo')).toBe(4);
    expect(postures.revision('other')).toBe(0);
  });
});
