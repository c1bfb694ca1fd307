import { defineConfig } from 'vitest/config';

// Tests that need a real kernel (AppArmor, BPF-LSM, seccomp enforcement). They run inside ONE kernel-lab VM:
// `pnpm run test-kernel` boots it and runs `vitest run --config vitest.kernel.config.ts` there, as root.
// Files run one after another: they load kernel-wide state (AppArmor profiles, BPF programs) and the VM has few CPUs.
export default defineConfig({
  test: {
    include: ['packages/*/test/kernel/**/*.test.ts'],
    fileParallelism: false,
    // TCG emulation is roughly ten times slower than the host.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
});
