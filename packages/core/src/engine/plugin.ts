import type { ErrorCatalog } from '../error-catalog.js';
import type { AnyEnforcerBackend } from './backend.js';
import type { Engine } from './engine.js';

export interface PluginMeta {
  name: string;
  version: string;
}

/**
 * A plugin is a plain object (Rollup/Vite style) made by a factory that takes options:
 * `apparmor({ parser: 'apparmor_parser' })`. It brings the backends of the enforcers it implements, declares the
 * error codes it raises, and taps the cross-cutting hooks it needs (parse, resolveMode, decode, audit) in `apply`.
 */
export interface Plugin {
  /** Tap name; unique in an engine, and what errors of this plugin's failures name. */
  name: string;
  meta: PluginMeta;
  /** One backend per enforcer this plugin implements; the engine refuses a second backend for an enforcer. */
  backends?: readonly AnyEnforcerBackend[];
  /** The error codes this plugin raises, each declared once (docs/errors.md is generated from them). */
  errors?: ErrorCatalog;
  apply?(engine: Engine): void;
}

/** Types a plugin factory; the identity at run time, it exists for inference and for symmetry with defineRulePack. */
export function definePlugin<Options extends unknown[]>(factory: (...options: Options) => Plugin): (...options: Options) => Plugin {
  return factory;
}
