import { defineConfig } from 'vitest/config';

// One project per package. Packages resolve each other through the "source" export condition,
// so tests run against the TypeScript sources and never against a stale build.
// Tests that need a real kernel live in test/kernel/ and run inside kernel-lab (see packages/kernel-lab).
const packages = ['core', 'builtin-rules', 'plugin-apparmor', 'plugin-seccomp', 'plugin-bpf', 'kernel-lab', 'cli'];

export default defineConfig({
  test: {
    // Many tests run real tools (apparmor_parser, bwrap, gcc, qemu); on a busy 2-core machine 5 s is not enough.
    testTimeout: 60_000,
    projects: [
      ...packages.map((name) => ({
        extends: true as const,
        test: {
          name,
          root: `packages/${name}`,
          include: ['test/**/*.test.ts'],
          exclude: ['test/kernel/**'],
        },
      })),
      // The packages as published: packed, linted (publint, attw), installed from a local registry and run.
      {
        extends: true as const,
        test: { name: 'packaging', root: 'packaging', include: ['test/**/*.test.ts'], globalSetup: ['test/pack-workspace.ts'] },
      },
    ],
  },
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
});
