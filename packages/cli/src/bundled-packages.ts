/**
 * Where the bundle's own copy of each @armorkit package is, by import specifier (URLs relative to dist/): undefined
 * here, when the CLI runs unbundled; packages/cli/build.mjs gives the bundle a version of this module with the table.
 */
export const bundledPackages: Readonly<Record<string, string>> | undefined = undefined;
