import type { Engine } from './engine.js';

export interface PluginMeta {
  name: string;
  version: string;
}

/**
 * A plugin is a plain object (Rollup/Vite style) made by a factory that takes options:
 * `apparmor({ parser: 'apparmor_parser' })`. It taps the hooks it needs in `apply`.
 */
export interface Plugin {
  /** Tap name; unique in an engine. */
  name: string;
  meta: PluginMeta;
  /** Enforcers this plugin compiles for (lets the engine and CLI say what is installed). */
  enforcers?: readonly string[];
  apply(engine: Engine): void;
}

/** Types a plugin factory; the identity at run time, it exists for inference and for symmetry with defineRulePack. */
export function definePlugin<Options extends unknown[]>(factory: (...options: Options) => Plugin): (...options: Options) => Plugin {
  return factory;
}
