import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ArmorkitConfig, createEngine, type Enforcer, type Engine, type Plugin, type PolicyInput, type RulePack, varmorDialect } from '@armorkit/core';
import type { BundledPackages } from './bundled-packages-hooks.js';
import { bundledPackages } from './bundled-packages.js';
import { findConfig } from './config-file.js';

/**
 * Official plugin packages, each a dependency of the CLI that default-exports its plugin factory; one not installed is
 * skipped. A plugin without enforcers is a dialect (KubeArmor's policies): it is always imported, since it is what
 * tells which enforcers a document needs.
 */
export const OFFICIAL_PLUGINS = [
  '@armorkit/plugin-apparmor',
  '@armorkit/plugin-seccomp',
  '@armorkit/plugin-bpf',
  '@armorkit/plugin-networkproxy',
  '@armorkit/plugin-kubearmor',
] as const;
/**
 * The enforcers each official plugin implements, known without importing it, so that a command checking policies
 * imports only the plugins of the enforcers they use (docs/cli.md#start-up). A test keeps it equal to their backends.
 */
export const OFFICIAL_PLUGIN_ENFORCERS: Readonly<Record<(typeof OFFICIAL_PLUGINS)[number], readonly Enforcer[]>> = {
  '@armorkit/plugin-apparmor': ['AppArmor'],
  '@armorkit/plugin-seccomp': ['Seccomp'],
  '@armorkit/plugin-bpf': ['BPF'],
  '@armorkit/plugin-networkproxy': ['NetworkProxy'],
  '@armorkit/plugin-kubearmor': [],
};
/**
 * The enforcers whose official plugins read kernel log records (they register audit record declarations): what
 * `armorkit audit` imports to read log lines. A test keeps it equal to the plugins' registrations.
 */
export const KERNEL_LOG_ENFORCERS: readonly Enforcer[] = ['AppArmor', 'Seccomp'];
export const BUILTIN_RULES = '@armorkit/builtin-rules';

function isMissingModule(error: unknown, specifier: string): boolean {
  const e = error as { code?: string; message?: string };
  return (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && (e.message ?? '').includes(specifier);
}

/** The official packages the CLI depends on, imported by literal name so that the bundle (build.mjs) holds them. */
const DEPENDENCIES: Readonly<Record<string, () => Promise<unknown>>> = {
  '@armorkit/plugin-apparmor': () => import('@armorkit/plugin-apparmor'),
  '@armorkit/plugin-seccomp': () => import('@armorkit/plugin-seccomp'),
  '@armorkit/plugin-bpf': () => import('@armorkit/plugin-bpf'),
  '@armorkit/plugin-networkproxy': () => import('@armorkit/plugin-networkproxy'),
  '@armorkit/plugin-kubearmor': () => import('@armorkit/plugin-kubearmor'),
  [BUILTIN_RULES]: () => import('@armorkit/builtin-rules'),
};

async function importIfInstalled<T>(specifier: string): Promise<T | undefined> {
  try {
    return (await (DEPENDENCIES[specifier] ?? (() => import(specifier)))()) as T;
  } catch (error) {
    if (isMissingModule(error, specifier)) return undefined;
    throw error;
  }
}

const isDialect = (specifier: (typeof OFFICIAL_PLUGINS)[number]) => OFFICIAL_PLUGIN_ENFORCERS[specifier].length === 0;

/**
 * The official plugins and rules that are installed next to the CLI; with `enforcers`, only the plugins of those
 * enforcers, and the dialects.
 */
export async function installedDefaults(enforcers?: readonly Enforcer[]): Promise<{ plugins: Plugin[]; rulePacks: RulePack[] }> {
  const wanted = OFFICIAL_PLUGINS.filter(
    (specifier) => !enforcers || isDialect(specifier) || OFFICIAL_PLUGIN_ENFORCERS[specifier].some((enforcer) => enforcers.includes(enforcer)),
  );
  // Imported together (their files are read at once), registered in the order of OFFICIAL_PLUGINS.
  const [rules, ...modules] = await Promise.all([
    importIfInstalled<{ default: RulePack }>(BUILTIN_RULES),
    ...wanted.map((specifier) => importIfInstalled<{ default: () => Plugin }>(specifier)),
  ]);
  const plugins = modules.flatMap((module) => (module ? [module.default()] : []));
  return { plugins, rulePacks: rules ? [rules.default] : [] };
}

let sharingBundledPackages = false;

/** In the bundle, a config file's @armorkit imports get the bundle's copies, not a second core (bundled-packages-hooks.ts). */
function shareBundledPackages(): void {
  if (bundledPackages === undefined || sharingBundledPackages) return;
  sharingBundledPackages = true;
  const entries = Object.fromEntries(Object.entries(bundledPackages).map(([specifier, path]) => [specifier, new URL(path, import.meta.url).href]));
  register<BundledPackages>(new URL('./bundled-packages-hooks.js', import.meta.url), { data: { entries } });
}

async function importConfig(path: string): Promise<ArmorkitConfig> {
  shareBundledPackages();
  const url = pathToFileURL(resolve(path)).href;
  // TypeScript configs go through tsx's loader; JavaScript ones are plain imports.
  const module = path.endsWith('.ts')
    ? ((await (await import('tsx/esm/api')).tsImport(url, import.meta.url)) as { default?: ArmorkitConfig })
    : ((await import(url)) as { default?: ArmorkitConfig });
  if (!module.default || typeof module.default !== 'object') {
    throw new Error(`${path}: the config file must default-export defineConfig({ plugins, rulePacks })`);
  }
  return module.default;
}

/** The installed official dialect plugins (no enforcers of their own). */
async function installedDialects(): Promise<Plugin[]> {
  const modules = await Promise.all(OFFICIAL_PLUGINS.filter(isDialect).map((specifier) => importIfInstalled<{ default: () => Plugin }>(specifier)));
  return modules.flatMap((module) => (module ? [module.default()] : []));
}

/**
 * The enforcers the policies in `inputs` use, as the vArmor dialect and `dialects` read them (a document they refuse
 * uses none).
 */
export function usedEnforcers(inputs: readonly PolicyInput[], dialects: readonly Plugin[] = []): Enforcer[] {
  const dialect = createEngine({ plugins: [varmorDialect(), ...dialects] });
  return [...new Set(inputs.flatMap((input) => dialect.parse(input.text, input.name).policies.flatMap((policy) => policy.enforcers)))];
}

/**
 * The engine the CLI runs: the config file's (explicit path, or armorkit.config.* in the working directory),
 * on top of the installed official plugins unless the config says `extendDefaults: false`. With no config file,
 * `enforcers` or `inputs` narrow what is imported: only the official plugins of those enforcers, or of the enforcers
 * those policies use (and the dialects); a config's plugins may read other dialects, so with one every official
 * plugin is.
 */
export async function loadEngine(
  options: {
    config?: string;
    cwd?: string;
    inputs?: readonly PolicyInput[];
    enforcers?: readonly Enforcer[];
    /** The command's own instances of official plugins (the manager's BPF resolver); a config's still win. */
    plugins?: readonly Plugin[];
  } = {},
): Promise<{ engine: Engine; configPath?: string }> {
  const configPath = options.config ?? findConfig(options.cwd ?? process.cwd());
  const config = configPath ? await importConfig(configPath) : {};
  const enforcers = configPath ? undefined : (options.enforcers ?? (options.inputs ? usedEnforcers(options.inputs, await installedDialects()) : undefined));
  const defaults = config.extendDefaults === false ? { plugins: [], rulePacks: [] } : await installedDefaults(enforcers);
  const userPlugins = [...(options.plugins ?? []).filter((own) => !(config.plugins ?? []).some((plugin) => plugin.name === own.name)), ...(config.plugins ?? [])];
  // A config that lists an official plugin (with its own options) replaces the default instance of it.
  const plugins = [
    varmorDialect(),
    ...defaults.plugins.filter((plugin) => !userPlugins.some((own) => own.name === plugin.name)),
    ...userPlugins,
  ];
  const rulePacks = [
    ...defaults.rulePacks.filter((pack) => !(config.rulePacks ?? []).some((own) => own.meta.name === pack.meta.name)),
    ...(config.rulePacks ?? []),
  ];
  const engine = createEngine({ plugins, rulePacks });
  return configPath ? { engine, configPath } : { engine };
}
