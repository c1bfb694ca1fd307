import { coreErrors } from '../core-errors.js';
import { type PolicyError, PolicyErrors } from '../errors.js';
import { type Result, fail } from '../result.js';

/** The stages whose plugin calls the engine attributes: the hooks it taps and its backends' methods. */
export type PluginStage = 'parse' | 'combine' | 'resolveMode' | 'attribute' | 'compile' | 'fromProfile' | 'explain' | 'verify' | 'load' | 'loaded' | 'unload' | 'confine' | 'auditSource' | 'observe' | 'podChanges' | 'close';

/** A plugin's tap threw (or rejected) in a stage; the engine turns it into a PolicyError naming both. */
export class PluginFailure extends Error {
  constructor(
    readonly plugin: string,
    readonly stage: PluginStage,
    cause: unknown,
  ) {
    super(`plugin "${plugin}" failed in ${stage}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'PluginFailure';
  }
}

type TapFunction = Parameters<typeof Reflect.apply>[0];
interface InterceptableHook {
  intercept(interceptor: { register?: <Tap extends { name: string; type: string; fn: TapFunction }>(tap: Tap) => Tap }): void;
}

/** Wraps every tap registered on `hook` from now on, so a throw, rejection or callback error names its plugin (the tap name). */
export function attributeFailures(hook: InterceptableHook, stage: PluginStage): void {
  hook.intercept({
    register(tap) {
      const original = tap.fn;
      const fail = (error: unknown) => (error instanceof PluginFailure ? error : new PluginFailure(tap.name, stage, error));
      function wrapped(this: unknown, ...args: unknown[]): unknown {
        if (tap.type === 'async') {
          const callback = args.at(-1);
          if (typeof callback === 'function') {
            args[args.length - 1] = (error: unknown, result?: unknown) => Reflect.apply(callback, undefined, error ? [fail(error)] : [null, result]);
          }
        }
        let result: unknown;
        try {
          result = Reflect.apply(original, this, args);
        } catch (error) {
          throw fail(error);
        }
        return tap.type === 'promise' ? Promise.resolve(result).catch((error: unknown) => Promise.reject(fail(error))) : result;
      }
      return { ...tap, fn: wrapped };
    },
  });
}

/**
 * The errors a failed plugin call stands for: the PolicyErrors it threw on purpose, or one `plugin-failed` error at
 * `pointer` naming the plugin, the stage and the reason. Anything else is the engine's own bug and is rethrown.
 */
export function pluginFailureErrors(error: unknown, pointer: string): PolicyError[] {
  if (!(error instanceof PluginFailure)) throw error;
  if (error.cause instanceof PolicyErrors) return [...error.cause.errors];
  return [coreErrors.error('plugin-failed', pointer, error.message)];
}

/** A backend call that throws becomes a failed Result naming the plugin and the stage (Rollup's PluginDriver idea). */
export function callBackend<T>(plugin: string, stage: PluginStage, pointer: string, call: () => Result<T>): Result<T> {
  try {
    return call();
  } catch (error) {
    return fail(pluginFailureErrors(new PluginFailure(plugin, stage, error), pointer));
  }
}

/** callBackend for the asynchronous stages: a throw or a rejection becomes the failed Result. */
export async function callBackendAsync<T>(plugin: string, stage: PluginStage, pointer: string, call: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await call();
  } catch (error) {
    return fail(pluginFailureErrors(new PluginFailure(plugin, stage, error), pointer));
  }
}
