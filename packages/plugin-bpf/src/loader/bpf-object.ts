import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LoaderOutcome, fail, succeed } from './loader-error.js';

/** The C sources of the programs (bpf/ in the package). */
export const BPF_SOURCE_DIRECTORY = fileURLToPath(new URL('../../bpf/', import.meta.url));
const PACKAGE_DIRECTORY = fileURLToPath(new URL('../../', import.meta.url));

const MULTIARCH: Record<string, string> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

/** clang's arguments; -mcpu=v3 for the atomic fetch-or the scratch slots use. */
export function clangArguments(source: string, output: string, arch: string = process.arch): string[] {
  const multiarch = MULTIARCH[arch];
  return ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-Wall', '-Werror', ...(multiarch ? [`-I/usr/include/${multiarch}`] : []), '-c', source, '-o', output];
}

export interface ObjectOptions {
  /** clang binary (default `clang`). */
  clang?: string;
  /** Where built objects are kept (default: .cache/bpf-object in the package, or $ARMORKIT_BPF_CACHE). */
  cacheDirectory?: string;
}

/**
 * A hash of what the object is made from: its sources and clang's flags. The compiler's version is left out on
 * purpose: a node that loads an object built at image build time has no clang to ask (delete the cache to rebuild
 * with a newer clang).
 */
export function objectKey(): string {
  const hash = createHash('sha256');
  hash.update(clangArguments('SOURCE', 'OUTPUT').join(' '));
  for (const name of readdirSync(BPF_SOURCE_DIRECTORY).filter((n) => /\.(c|h)$/.test(n)).sort()) {
    hash.update(name);
    hash.update(readFileSync(join(BPF_SOURCE_DIRECTORY, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The compiled programs (armorkit.bpf.o), built with clang the first time and kept in a cache keyed by the hash
 * of their sources, so a fresh clone works without a build step and an edit rebuilds; clang runs only to build.
 */
export function ensureBpfObject(options: ObjectOptions = {}): LoaderOutcome<{ path: string; key: string }> {
  const clang = options.clang ?? 'clang';
  const key = objectKey();
  const directory = options.cacheDirectory ?? process.env.ARMORKIT_BPF_CACHE ?? join(PACKAGE_DIRECTORY, '.cache', 'bpf-object');
  const path = join(directory, `armorkit-${key}.bpf.o`);
  if (existsSync(path)) return succeed({ path, key });
  mkdirSync(directory, { recursive: true });
  const partial = `${path}.${process.pid}.tmp`;
  const built = spawnSync(clang, clangArguments(join(BPF_SOURCE_DIRECTORY, 'armorkit.bpf.c'), partial), { encoding: 'utf8' });
  if (built.error && 'code' in built.error && built.error.code === 'ENOENT') {
    return fail('bpf-clang-missing', `${clang} is not installed and no built BPF programs are in ${directory}; they are compiled with clang at first use (Debian: apt-get install clang llvm libbpf-dev), or ahead of time with ensureBpfObject from @armorkit/plugin-bpf/programs`);
  }
  if (built.error || built.status !== 0) {
    rmSync(partial, { force: true });
    return fail('bpf-object-build-failed', `clang could not compile the BPF programs:\n${built.stderr || built.error?.message}`);
  }
  renameSync(partial, path);
  return succeed({ path, key });
}
