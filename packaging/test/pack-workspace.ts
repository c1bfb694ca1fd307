// vitest globalSetup of the packaging project: packs every publishable package once per run, for both the lint and the
// install test, and removes the tarballs at the end.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packPackages, publishablePackages, REPO_ROOT } from '../src/workspace-packages.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Package name → tarball made by `pnpm pack`. */
    packedTarballs: Record<string, string>;
  }
}

export default async function packWorkspace(project: TestProject): Promise<() => void> {
  if (!existsSync(join(REPO_ROOT, 'packages/cli/dist/bin.js'))) {
    throw new Error('packages/*/dist is missing: run `pnpm run build-all` first (make test does)');
  }
  const directory = mkdtempSync(join(tmpdir(), 'armorkit-packed-'));
  const tarballs = await packPackages(publishablePackages(), directory);
  project.provide('packedTarballs', Object.fromEntries(tarballs));
  return () => rmSync(directory, { recursive: true, force: true });
}
