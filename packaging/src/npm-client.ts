import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandResult, runCollect } from './run-command.js';

/**
 * The environment of a user's shell: without the npm_* variables pnpm and vitest pass down (npm_config_registry,
 * npm_config_user_agent, ...), so npm reads only the config the test writes.
 */
export function userEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return { ...env, NO_UPDATE_NOTIFIER: '1', ...extra };
}

export interface NpmClient {
  run(args: readonly string[], cwd: string, extraEnv?: NodeJS.ProcessEnv): Promise<CommandResult>;
}

/**
 * npm pointed at one registry through its own user config. verdaccio lets anyone publish our names, but npm sends
 * no publish without a token, so the config carries a placeholder one.
 */
export function npmClient(registryUrl: string, directory: string, cacheDirectory: string): NpmClient {
  const userconfig = join(directory, 'npmrc');
  const host = registryUrl.replace(/^https?:/, '');
  writeFileSync(
    userconfig,
    [`registry=${registryUrl}`, `${host}:_authToken=local-registry-test`, `cache=${cacheDirectory}`, 'audit=false', 'fund=false', 'update-notifier=false', 'omit-lockfile-registry-resolved=false', ''].join('\n'),
  );
  return {
    run: (args, cwd, extraEnv = {}) => runCollect('npm', args, { cwd, env: userEnvironment({ npm_config_userconfig: userconfig, ...extraEnv }) }),
  };
}
