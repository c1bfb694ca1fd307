import { existsSync } from 'node:fs';
import { join } from 'node:path';

const CONFIG_NAMES = ['armorkit.config.mjs', 'armorkit.config.js', 'armorkit.config.ts'];

/** The config file a run in `directory` picks up without `--config`: the first armorkit.config.* there. */
export function findConfig(directory: string): string | undefined {
  return CONFIG_NAMES.map((name) => join(directory, name)).find((path) => existsSync(path));
}

/**
 * Whether a run with `argv` in `directory` may load a config file: `-c`/`--config` anywhere in it (read broadly, a
 * path that looks like the option included), or an armorkit.config.* in the directory.
 */
export function mayLoadConfig(argv: readonly string[], directory: string): boolean {
  return argv.some((arg) => arg.startsWith('--config') || /^-[^-]*c/.test(arg)) || findConfig(directory) !== undefined;
}
