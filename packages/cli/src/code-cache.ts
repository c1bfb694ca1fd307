import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script, constants } from 'node:vm';

/**
 * A CommonJS bundle run as a classic script with a V8 code cache beside it (`<file>.cache`), because Node 20 has no
 * compile cache for modules and compiling the bundle's code was a large part of `validate`'s start-up
 * (docs/cli.md#start-up). The cache starts with the SHA-256 of the file it was made from: V8 itself checks only
 * the source's length (and its own version and flags), so a cache is used only with the very source it was made for.
 * A cache V8 refuses (another Node version, other V8 flags) or one that is missing costs a normal compile, no more.
 */
export interface CachedScript<Exports> {
  /** The bundle's `module.exports`. */
  exports: Exports;
  /** Whether V8 used the cache (false when there was none, it was for another source, or V8 refused it). */
  cacheUsed: boolean;
  /** The cache of what has been compiled so far, source hash first: what `<file>.cache` holds. */
  createCache(): Buffer;
}

const HASH_BYTES = 32;

/** Compiles and runs the CommonJS bundle `file`, with `<file>.cache` when that was made for it. */
export function runCachedScript<Exports extends object>(file: string): CachedScript<Exports> {
  const bytes = readFileSync(file);
  // The wrapper Node gives a CommonJS module, so `require` and `module` mean what they mean in one.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${bytes.toString('utf8')}\n})`;
  // Of the file's bytes: hashing the string would encode it to UTF-8 again first.
  const hash = createHash('sha256').update(bytes).digest();
  const cache = readCache(`${file}.cache`);
  const cachedData = cache && hash.equals(cache.subarray(0, HASH_BYTES)) ? cache.subarray(HASH_BYTES) : undefined;
  const script = new Script(wrapped, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
    // import() in the bundle (a config file, tsx, a plugin that is not bundled) goes to Node's own loader.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  // What the bundle's module.exports will hold is what its build says; nothing here can check it.
  const module = { exports: {} as Exports };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cacheUsed: cachedData !== undefined && !script.cachedDataRejected,
    createCache: () => Buffer.concat([hash, script.createCachedData()]),
  };
}

function readCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Writes `<file>.cache` for what `script` has compiled so far (packages/cli/build.mjs, after a warm-up run). */
export function writeCodeCache(file: string, script: CachedScript<object>): void {
  writeFileSync(`${file}.cache`, script.createCache());
}
