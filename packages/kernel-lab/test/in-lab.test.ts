import { describe, expect, it } from 'vitest';
import { isInKernelLab, requireKernelLab } from '../src/in-lab.js';
import { LabFailure } from '../src/lab-error.js';

describe('requireKernelLab', () => {
  it('fails with not-in-lab and the command to use when run on the host', () => {
    expect(isInKernelLab({})).toBe(false);
    try {
      requireKernelLab({});
      expect.unreachable('requireKernelLab must fail outside the lab');
    } catch (failure) {
      expect(failure).toBeInstanceOf(LabFailure);
      expect((failure as LabFailure).error.code).toBe('not-in-lab');
      expect((failure as LabFailure).message).toContain('pnpm run test-kernel');
    }
  });

  it('passes inside the lab', () => {
    expect(isInKernelLab({ ARMORKIT_KERNEL_LAB: '1' })).toBe(true);
    expect(() => requireKernelLab({ ARMORKIT_KERNEL_LAB: '1' })).not.toThrow();
  });
});
