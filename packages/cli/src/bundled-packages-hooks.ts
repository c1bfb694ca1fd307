// Module hooks the bundled `armorkit` registers before it imports a config file: `@armorkit/*` imports (of the
// config and of the plugins it imports) resolve to the bundle's own copy of each package, so the process holds one
// core — one PolicyErrors class, one set of hooks — whichever side made an object (docs/cli.md#start-up).
import type { InitializeHook, ResolveHook } from 'node:module';

/** The data `register` passes: URL of the bundle's entry for each package specifier (`@armorkit/core`, …). */
export interface BundledPackages {
  entries: Readonly<Record<string, string>>;
}

let entries: Readonly<Record<string, string>> = {};

export const initialize: InitializeHook<BundledPackages> = (data) => {
  entries = data.entries;
};

export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  const url = entries[specifier];
  return url === undefined ? nextResolve(specifier, context) : { url, shortCircuit: true };
};
