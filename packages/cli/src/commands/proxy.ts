import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fail, formatPolicyError, ok, type Result } from '@armorkit/core';
import { networkProxyErrors } from '@armorkit/plugin-networkproxy';
import { firstSecretSource, parseProxyConfig, secretsFromDirectory, secretsFromEnvironment, type ProxyConfig } from '@armorkit/plugin-networkproxy/config';
import { INTERNAL_ERROR_EXIT, ProxyConfigError, runProxy, serveUntilStopped, type ProxyLimits } from '@armorkit/plugin-networkproxy/proxy';
import { EXIT, UsageError, type CliIO } from '../io.js';

export interface ProxyOptions {
  config?: string;
  headerTimeoutMs?: string;
  idleTimeoutMs?: string;
  maxConnections?: string;
  /** secretRef header values as files `<dir>/<secret>/<key>` (a Secret volume's layout), before the environment. */
  secretsDir?: string;
  /** `stderr` or an absolute file: where the events go, over the configuration's `audit.events`. */
  events?: string;
}

type EventsSetting = ProxyConfig['audit']['events'];

function eventsOf(value: string | undefined): EventsSetting | undefined {
  if (value === undefined) return undefined;
  if (value === 'stderr') return { to: 'stderr' };
  if (value.startsWith('/')) return { to: 'file', path: value };
  throw new UsageError(`--events: expected "stderr" or an absolute file path, got "${value}"`);
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

function readConfig(path: string, events: EventsSetting | undefined): Result<ProxyConfig> {
  const read = readConfigFile(path);
  return read.ok && events ? ok({ ...read.value, audit: { ...read.value.audit, events } }) : read;
}

function readConfigFile(path: string): Result<ProxyConfig> {
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
 * admin port) reads the file again: new connections use the new table, open ones keep theirs. An uncaught fault
 * logs an error event and exits 70.
 */
export async function proxyCommand(options: ProxyOptions, io: CliIO): Promise<number> {
  if (!options.config) throw new UsageError('--config FILE is required (a proxy configuration from `armorkit compile --out`)');
  const limits = limitsOf(options);
  const events = eventsOf(options.events);
  const path = resolve(io.cwd, options.config);
  const first = readConfig(path, events);
  if (!first.ok) {
    const unreadable = first.errors.find((error) => error.code === 'networkproxy-config-unreadable');
    if (unreadable) throw new UsageError(`--config ${path}: ${unreadable.message}`);
    for (const error of first.errors) io.err(formatPolicyError(error));
    return EXIT.invalid;
  }
  const secrets = options.secretsDir ? firstSecretSource(secretsFromDirectory(resolve(io.cwd, options.secretsDir)), secretsFromEnvironment()) : secretsFromEnvironment();
  let running;
  try {
    running = await runProxy(first.value, { readConfig: () => readConfig(path, events), limits, secrets });
  } catch (error) {
    if (error instanceof ProxyConfigError) {
      for (const problem of error.errors) io.err(formatPolicyError({ ...problem, location: problem.location ?? { file: path } }));
      return EXIT.invalid;
    }
    throw new UsageError(`the proxy cannot listen: ${error instanceof Error ? error.message : String(error)}`);
  }
  const listening = running.addresses.map((address) => (address.family === 6 ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`));
  io.err(`armorkit proxy: listening on ${listening.join(', ')}, admin on 127.0.0.1:${running.adminPort}`);
  const code = await serveUntilStopped(running, (line) => io.err(line));
  // After an uncaught fault the cause may still hold handles open: end now, with the fault's status.
  if (code === INTERNAL_ERROR_EXIT) process.exit(code);
  return code;
}
