import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where built initramfs images live: `$ARMORKIT_CACHE_DIR/kernel-lab`, else `$XDG_CACHE_HOME/armorkit/kernel-lab`,
 * else `~/.cache/armorkit/kernel-lab`. Outside the repo so that a clean checkout does not rebuild.
 */
export function defaultLabCacheDir(environment: NodeJS.ProcessEnv = process.env): string {
  if (environment.ARMORKIT_CACHE_DIR) return join(environment.ARMORKIT_CACHE_DIR, 'kernel-lab');
  const base = environment.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'armorkit', 'kernel-lab');
}
