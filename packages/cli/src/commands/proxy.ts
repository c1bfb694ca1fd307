import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fail, formatPolicyError, type Result } from '@armorkit/core';
import { networkProxyErrors } from '@armorkit/plugin-networkproxy';
import { firstSecretSource, parseProxyConfig, secretsFromDirectory, secretsFromEnvironment, type ProxyConfig } from '@armorkit/plugin-networkproxy/config';
import { ProxyConfigError, runProxy, type ProxyLimits } from '@armorkit/plugin-networkproxy/proxy';
import { EXIT, UsageError, type CliIO } from '../io.js';

export interface ProxyOptions {
  config?: string;
  headerTimeoutMs?: string;
  idleTimeoutMs?: string;
  maxConnections?: string;
  /** secretRef header values as files `<dir>/<secret>/<key>` (a Secret volume's layout), before the environment. */
  secretsDir?: string;
}

/** The limits given on the command line (the configuration file holds the policy's settings only). */
function limitsOf(options: ProxyOptions): Partial<ProxyLimits> {
  const limits: Partial<ProxyLimits> = {};
  const read = (flag: string, value: string | undefined, set: (number: number) => void): void => {
    if (value === undefined) return;
    if (!/^[1-9][0-9]{0,8}$/.test(value)) throw new UsageError(`${flag}: expected a positive whole number, got "${value}"`);
    set(Number(value));
  };
  read('--header-timeout-ms', options.headerTimeoutMs, (value) => (limits.headerTimeoutMs = value));
  read('--idle-timeout-ms', options.idleTimeoutMs, (value) => (limits.idleTimeoutMs = value));
  read('--max-connections', options.maxConnections, (value) => (limits.maxConnections = value));
  return limits;
}

function readConfig(path: string): Result<ProxyConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    return fail([{ ...networkProxyErrors.error('networkproxy-config-unreadable', '', `cannot read the file: ${reason}`), location: { file: path } }]);
  }
  return parseProxyConfig(text, path);
}

/**
 * `armorkit proxy --config FILE`: the NetworkProxy data plane until SIGTERM / SIGINT. SIGHUP (or POST /reload on the
 * admin port) reads the file again: new connections use the new table, open ones keep theirs.
 */
export async function proxyCommand(options: ProxyOptions, io: CliIO): Promise<number> {
  if (!options.config) throw new UsageError('--config FILE is required (a proxy configuration from `armorkit compile --out`)');
  const limits = limitsOf(options);
  const path = resolve(io.cwd, options.config);
  const first = readConfig(path);
  if (!first.ok) {
    const unreadable = first.errors.find((error) => error.code === 'networkproxy-config-unreadable');
    if (unreadable) throw new UsageError(`--config ${path}: ${unreadable.message}`);
    for (const error of first.errors) io.err(formatPolicyError(error));
    return EXIT.invalid;
  }
  const secrets = options.secretsDir ? firstSecretSource(secretsFromDirectory(resolve(io.cwd, options.secretsDir)), secretsFromEnvironment()) : secretsFromEnvironment();
  let running;
  try {
    running = await runProxy(first.value, { readConfig: () => readConfig(path), limits, secrets });
  } catch (error) {
    if (error instanceof ProxyConfigError) {
      for (const problem of error.errors) io.err(formatPolicyError({ ...problem, location: problem.location ?? { file: path } }));
      return EXIT.invalid;
    }
    throw new UsageError(`the proxy cannot listen: ${error instanceof Error ? error.message : String(error)}`);
  }
  const listening = running.addresses.map((address) => (address.family === 6 ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`));
  io.err(`armorkit proxy: listening on ${listening.join(', ')}, admin on 127.0.0.1:${running.adminPort}`);
  const proxy = running;
  const onHangUp = (): void => {
    void proxy.reload().then((result) => io.err(result.ok ? 'armorkit proxy: configuration reloaded' : `armorkit proxy: reload refused: ${result.problems.join('; ')}`));
  };
  process.on('SIGHUP', onHangUp);
  // A fault in one connection's handling must not take every other connection down with the process.
  const onFault = (error: unknown): void => io.err(`armorkit proxy: internal error (the proxy keeps running): ${error instanceof Error ? error.message : String(error)}`);
  process.on('uncaughtException', onFault);
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  process.off('SIGHUP', onHangUp);
  process.off('uncaughtException', onFault);
  await proxy.close();
  return EXIT.ok;
}
