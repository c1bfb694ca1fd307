import type { Plugin } from './engine/plugin.js';
import type { RulePack } from './rules/define.js';

/** `armorkit.config.{mjs,js,ts}`: the engine a project wants, made of plugins and rule packs. */
export interface ArmorkitConfig {
  plugins?: Plugin[];
  rulePacks?: RulePack[];
  /**
   * When true (the default), the official plugins and the built-in rules that are installed are added before the
   * ones listed here; set false to compose an engine of exactly what is listed.
   */
  extendDefaults?: boolean;
}

/** Identity at run time; gives config files type checking and completion. */
export function defineConfig(config: ArmorkitConfig): ArmorkitConfig {
  return config;
}
