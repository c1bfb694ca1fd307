// A verdaccio registry on loopback for the install test: its own storage and config in a temporary directory, the
// workspace's package names served only from what the test publishes, everything else proxied from the npm registry.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LocalRegistry {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** What verdaccio printed, for failure messages. */
  log(): string;
  /** Stops verdaccio (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
}

const UPLINK = 'https://registry.npmjs.org/';
const READY_TIMEOUT_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** verdaccio's config: our names are local only (never proxied), so an install cannot pick up a same-named package from npm. */
function registryConfig(directory: string, ownPackages: readonly string[]): string {
  const own = ownPackages.map((name) => `  '${name}':\n    access: $all\n    publish: $all\n`).join('');
  return [
    `storage: ${JSON.stringify(join(directory, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(join(directory, 'htpasswd'))}`,
    '    max_users: -1',
    'uplinks:',
    '  npmjs:',
    `    url: ${UPLINK}`,
    '    timeout: 60s',
    'packages:',
    own.trimEnd(),
    "  '**':",
    '    access: $all',
    '    proxy: npmjs',
    'web:',
    '  enable: false',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts verdaccio (the root devDependency) and waits until it answers /-/ping. */
export async function startLocalRegistry(directory: string, ownPackages: readonly string[]): Promise<LocalRegistry> {
  const configPath = join(directory, 'config.yaml');
  writeFileSync(configPath, registryConfig(directory, ownPackages));
  const bin = join(dirname(createRequire(import.meta.url).resolve('verdaccio/package.json')), 'bin', 'verdaccio');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = spawn(process.execPath, [bin, '--config', configPath, '--listen', `127.0.0.1:${port}`], {
    cwd: directory,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // If the test process dies first, verdaccio must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const registry: LocalRegistry = {
    url,
    log: () => output,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited(child).then(() => true), sleep(5_000).then(() => false)]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited(child);
      }
    },
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode} before it answered:\n${output}`);
    try {
      const response = await fetch(`${url}-/ping`);
      if (response.ok) return registry;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await registry.stop();
  throw new Error(`verdaccio did not answer ${url}-/ping within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
}
