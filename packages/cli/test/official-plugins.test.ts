import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installedDefaults, OFFICIAL_PLUGINS } from '../src/index.js';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const manifest = (directory: string) => JSON.parse(readFileSync(join(PACKAGES, directory, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
const workspacePlugins = readdirSync(PACKAGES)
  .map((directory) => manifest(directory).name)
  .filter((name) => name.startsWith('@armorkit/plugin-'))
  .sort();

describe('OFFICIAL_PLUGINS', () => {
  it('lists exactly the plugin packages of this workspace, so none is missing and nothing loads a package that does not exist', () => {
    expect([...OFFICIAL_PLUGINS].sort()).toEqual(workspacePlugins);
  });

  it('are dependencies of @armorkit/cli, so installing the CLI installs them', () => {
    const dependencies = Object.keys(manifest('cli').dependencies ?? {});
    expect(dependencies).toEqual(expect.arrayContaining([...OFFICIAL_PLUGINS]));
  });

  it('each loads as a plugin of its package', async () => {
    const { plugins, rulePacks } = await installedDefaults();
    expect(plugins).toHaveLength(OFFICIAL_PLUGINS.length);
    for (const [index, plugin] of plugins.entries()) expect(plugin.meta.name).toBe(OFFICIAL_PLUGINS[index]);
    expect(rulePacks.map((pack) => pack.meta.name)).toEqual(['@armorkit/builtin-rules']);
  });
});
