/**
 * Where the bundle's own copy of each @armorkit package is, by import specifier (URLs relative to dist/): undefined
 * here, when the CLI runs unbundled; packages/cli/build.mjs gives the bundle a version of this module with the table.
 */
export const bundledPackages: Readonly<Record<string, string>> | undefined = undefined;

/**
 * By command (`validate`, `audit`): the CLI for that command as one classic script with a V8 code cache (URL
 * relative to dist/), which it runs when no config file is involved (bin.ts, docs/cli.md#start-up): undefined
 * unbundled, and in those scripts themselves.
 */
export const cachedCommands: Readonly<Record<string, string>> | undefined = undefined;
