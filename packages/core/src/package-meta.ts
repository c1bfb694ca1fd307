import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageMeta {
  name: string;
  version: string;
}

/**
 * name and version of the package a module belongs to (the nearest package.json above it), so a plugin's `meta`
 * never drifts from what is published (ESLint's model). Works from src/ and dist/ alike.
 */
export function readPackageMeta(moduleUrl: string | URL): PackageMeta {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const { name, version } = JSON.parse(readFileSync(candidate, 'utf8')) as PackageMeta;
      return { name, version };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = parent;
  }
}

export const corePackage: PackageMeta = readPackageMeta(import.meta.url);
