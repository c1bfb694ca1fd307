import { defineConfig } from 'vitest/config';

// One project per package. Packages resolve each other through the "source" export condition,
// so tests run against the TypeScript sources and never against a stale build.
// Tests that need a real kernel live in test/kernel/ and run inside kernel-lab (see packages/kernel-lab).
const packages = ['core', 'builtin-rules', 'plugin-apparmor', 'plugin-seccomp', 'plugin-bpf', 'plugin-networkproxy', 'plugin-k8s', 'plugin-kubearmor', 'kernel-lab', 'cli'];
// Examples with tests of their own run with the packages (an example that no longer works is a broken doc).
const examples = ['minimal-enforcer'];
const roots = [...packages.map((name) => ({ name, root: `packages/${name}` })), ...examples.map((name) => ({ name, root: `examples/${name}` }))];

export default defineConfig({
  test: {
    // Many tests run real tools (apparmor_parser, bwrap, gcc, qemu); on a busy 2-core machine 5 s is not enough.
    testTimeout: 60_000,
    // Hooks too: a beforeAll that loads every plugin from source takes more than 10 s under load.
    hookTimeout: 60_000,
    projects: [
      ...roots.map(({ name, root }) => ({
        extends: true as const,
        test: {
          name,
          root,
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
