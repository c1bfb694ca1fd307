// Builds native/build/libarmorkit-audit.so from native/audit-scan.c (part of `pnpm run build-all`). Rebuilds only when
// the source is newer. Without a C compiler it says so and stops: AuditLogDecoder then keeps to its JavaScript path.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('./audit-scan.c', import.meta.url));
const output = fileURLToPath(new URL('./build/libarmorkit-audit.so', import.meta.url));
const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};

if (mtime(output) < mtime(source)) {
  const compiler = process.env.CC ?? 'cc';
  mkdirSync(fileURLToPath(new URL('./build/', import.meta.url)), { recursive: true });
  const partial = `${output}.${process.pid}`;
  const run = spawnSync(compiler, ['-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-o', partial, source], { stdio: 'inherit' });
  if (run.error) {
    console.warn(`armorkit: no C compiler (${compiler}): audit logs are decoded without the native scanner`);
  } else if (run.status !== 0) {
    // As a package's install script, a compiler that rejects the source must not fail the user's install.
    if (process.env.npm_lifecycle_event !== 'install') process.exit(run.status ?? 1);
    console.warn(`armorkit: ${compiler} could not build the native audit scanner: audit logs are decoded without it`);
  } else {
    renameSync(partial, output);
  }
}
