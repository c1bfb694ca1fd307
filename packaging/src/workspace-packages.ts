import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCollect } from './run-command.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The package.json fields the packaging checks read. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  type?: string;
  engines?: Record<string, string>;
  bin?: string | Record<string, string>;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  name: string;
  version: string;
  directory: string;
  manifest: PackageManifest;
}

/** Every package of the workspace that is published (the ones not marked private), as pnpm lists them. */
export function publishablePackages(): WorkspacePackage[] {
  const listed = spawnSync('pnpm', ['ls', '--recursive', '--depth', '-1', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`pnpm ls failed: ${listed.stderr || listed.error?.message}`);
  const projects = JSON.parse(listed.stdout) as { name: string; path: string; private?: boolean }[];
  return projects
    .filter((project) => !project.private)
    .map((project) => {
      const manifest = JSON.parse(readFileSync(join(project.path, 'package.json'), 'utf8')) as PackageManifest;
      return { name: manifest.name, version: manifest.version, directory: project.path, manifest };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Packs each package with `pnpm pack` (which turns `workspace:^` into the real version range, as `pnpm publish` does)
 * into its own directory under `destination`; returns the tarball of each package by name. Packs what the last
 * `pnpm run build-all` left in dist/.
 */
export async function packPackages(packages: readonly WorkspacePackage[], destination: string): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  await Promise.all(
    packages.map(async (pkg, index) => {
      const directory = join(destination, String(index));
      mkdirSync(directory, { recursive: true });
      const packed = await runCollect('pnpm', ['pack', '--pack-destination', directory], { cwd: pkg.directory });
      if (packed.code !== 0) throw new Error(`pnpm pack in ${pkg.directory} exited ${packed.code}:\n${packed.stdout}${packed.stderr}`);
      const files = readdirSync(directory).filter((name) => name.endsWith('.tgz'));
      if (files.length !== 1) throw new Error(`pnpm pack of ${pkg.name} left ${files.length} tarballs in ${directory}`);
      tarballs.set(pkg.name, join(directory, files[0]!));
    }),
  );
  return tarballs;
}
