import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installedDefaults, OFFICIAL_PLUGINS } from '../src/index.js';
import { createEngine } from '@armorkit/core';
import { KERNEL_LOG_ENFORCERS, OFFICIAL_PLUGIN_ENFORCERS, usedEnforcers } from '../src/default-engine.js';
import { auditEnforcers } from '../src/commands/audit.js';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const manifest = (directory: string) => JSON.parse(readFileSync(join(PACKAGES, directory, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
const workspacePlugins = readdirSync(PACKAGES)
  .map((directory) => manifest(directory).name)
  .filter((name) => name.startsWith('@armorkit/plugin-'))
  // The Kubernetes integration is not an engine plugin (no backends, no dialect): `armorkit k8s` imports it itself.
  .filter((name) => name !== '@armorkit/plugin-k8s')
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

  it('implement the enforcers OFFICIAL_PLUGIN_ENFORCERS says, which is how a command knows which to import', async () => {
    const { plugins } = await installedDefaults();
    const implemented = Object.fromEntries(plugins.map((plugin) => [plugin.meta.name, (plugin.backends ?? []).map((backend) => backend.enforcer)]));
    expect(implemented).toEqual(OFFICIAL_PLUGIN_ENFORCERS);
  });

  it('are imported only for the enforcers asked for, and the dialects always', async () => {
    expect((await installedDefaults(['AppArmor'])).plugins.map((plugin) => plugin.meta.name)).toEqual(['@armorkit/plugin-apparmor', '@armorkit/plugin-kubearmor']);
    expect((await installedDefaults(['BPF', 'Seccomp'])).plugins.map((plugin) => plugin.meta.name)).toEqual([
      '@armorkit/plugin-seccomp',
      '@armorkit/plugin-bpf',
      '@armorkit/plugin-kubearmor',
    ]);
    expect((await installedDefaults([])).plugins.map((plugin) => plugin.meta.name)).toEqual(['@armorkit/plugin-kubearmor']);
  });
});

describe('KERNEL_LOG_ENFORCERS', () => {
  it('are the enforcers of exactly the official plugins that declare audit records, which `armorkit audit` imports for log lines', async () => {
    const { plugins } = await installedDefaults();
    const reading = plugins.filter((plugin) => createEngine({ plugins: [plugin] }).auditRecords.names.length > 0);
    expect(reading.flatMap((plugin) => (plugin.backends ?? []).map((backend) => backend.enforcer)).sort()).toEqual([...KERNEL_LOG_ENFORCERS].sort());
  });

  it('with the --source channels are what audit imports, and with --policies every plugin is', () => {
    expect(auditEnforcers({})).toEqual(['AppArmor', 'Seccomp']);
    expect(auditEnforcers({ source: ['bpf', 'seccomp'] })).toEqual(['AppArmor', 'Seccomp', 'BPF']);
    expect(auditEnforcers({ policies: ['policies/'], source: ['bpf'] })).toBeUndefined();
  });
});

describe('usedEnforcers', () => {
  const policy = (enforcer: string) =>
    `apiVersion: crd.varmor.org/v1beta1\nkind: VarmorPolicy\nmetadata: {name: p, namespace: demo}\nspec:\n  target: {kind: Deployment, selector: {matchLabels: {app: p}}}\n  policy: {enforcer: ${enforcer}, mode: AlwaysAllow}\n`;

  it('reads the enforcers of every policy in the inputs, and none from a document that is not one', () => {
    const inputs = [
      { name: 'a.yaml', text: policy('AppArmorSeccomp') },
      { name: 'b.yaml', text: `${policy('BPF')}---\nkind: Deployment\n` },
      { name: 'c.yaml', text: 'not: [valid' },
    ];
    expect(usedEnforcers(inputs).sort()).toEqual(['AppArmor', 'BPF', 'Seccomp']);
    expect(usedEnforcers([inputs[2] as (typeof inputs)[number]])).toEqual([]);
  });
});

