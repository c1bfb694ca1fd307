import type { Engine } from '@armorkit/core';
import { UsageError } from '../io.js';

/** `--kubearmor` needs an engine that reads KubeArmor's policies (a config's plugins may leave the dialect out). */
export function requireKubeArmorDialect(engine: Engine, flag: string): void {
  if (!engine.plugins.some((plugin) => plugin.name === 'kubearmor')) {
    throw new UsageError(`${flag}: this engine has no kubearmor dialect (@armorkit/plugin-kubearmor): install it or add kubearmor() to the config's plugins`);
  }
}
