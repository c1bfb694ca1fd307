// An "outside" for NetworkProxy demos and tests: a network namespace of its own, joined to the host by a veth, with
// a small HTTP server and a TCP echo on UPSTREAM_ADDRESS (a documentation address). A run's proxy reaches it through
// the run's NAT and the host's route, as it would reach any server outside.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const UPSTREAM_ADDRESS = '198.51.100.10';
const HOST_ADDRESS = '198.51.100.9';

export interface UpstreamNamespace {
  namespace: string;
  /** Stops the servers and removes the namespace (the veth goes with it); safe to call twice. */
  remove(): void;
}

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: 'pipe' });
};

const WAIT_MS = 60_000;

/** Whether another upstream namespace (a concurrent test or demo) holds the address now. */
function addressTaken(): boolean {
  return execFileSync('ip', ['-4', 'route', 'show', `${HOST_ADDRESS.replace(/\.9$/, '.8')}/30`], { encoding: 'utf8' }).trim() !== '';
}

/**
 * Makes the namespace and starts its servers (HTTP on 80 answers `upstream saw METHOD PATH`, echo on 7). The address
 * is fixed (the example policy names it), so one such namespace exists at a time: this waits for another to go.
 */
export async function startUpstreamNamespace(): Promise<UpstreamNamespace> {
  for (let waited = 0; addressTaken(); waited += 100) {
    if (waited >= WAIT_MS) throw new Error(`${UPSTREAM_ADDRESS} is still routed on this host after ${WAIT_MS / 1000} s (another demo or test, or a leftover veth)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const id = randomBytes(3).toString('hex');
  const namespace = `aku-${id}`;
  const remove = (): void => {
    try {
      for (const pid of execFileSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' }).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
      ip('netns', 'del', namespace);
    } catch {
      // Already gone.
    }
  };
  try {
    ip('netns', 'add', namespace);
    ip('link', 'add', `aku${id}h`, 'type', 'veth', 'peer', 'name', `aku${id}n`, 'netns', namespace);
    ip('addr', 'add', `${HOST_ADDRESS}/30`, 'dev', `aku${id}h`);
    ip('link', 'set', `aku${id}h`, 'up');
    ip('-n', namespace, 'addr', 'add', `${UPSTREAM_ADDRESS}/30`, 'dev', `aku${id}n`);
    ip('-n', namespace, 'link', 'set', `aku${id}n`, 'up');
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
    ip('-n', namespace, 'route', 'add', 'default', 'via', HOST_ADDRESS);
    const servers =
      `require('node:net').createServer((s) => s.pipe(s)).listen(7, '${UPSTREAM_ADDRESS}');` +
      `require('node:http').createServer((q, s) => s.end('upstream saw ' + q.method + ' ' + q.url + '\\n')).listen(80, '${UPSTREAM_ADDRESS}', () => console.log('ready'))`;
    const server = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', servers], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      server.stdout.once('data', () => resolve());
      server.once('exit', (code) => reject(new Error(`the upstream servers exited (${code}): ${output.trim()}`)));
    });
    return { namespace, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
