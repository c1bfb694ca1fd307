import { defineConfig } from 'vitest/config';

// `pnpm test:e2e`: the Kubernetes end-to-end tests, against the cluster of $KUBECONFIG (skipped without one).
// Not part of `make test` or `pnpm test`: their files end in .e2e.ts, which the main config does not include.
export default defineConfig({
  test: {
    include: ['packages/plugin-k8s/test/e2e/**/*.e2e.ts'],
    testTimeout: 300_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
});
