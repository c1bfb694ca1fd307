// The demo's NetworkProxy step, on the host (network namespaces and iptables nat need no kernel-lab): `armorkit run`
// with the example allow-list policy, one allowed and one denied request to a server in a namespace of the demo's
// own, the run's lines and the proxy's events printed as they come.
import { join } from 'node:path';
import type { Engine } from '@armorkit/core';
import { runCommand } from '../commands/run.js';
import type { CliIO } from '../io.js';
import { startUpstreamNamespace, UPSTREAM_ADDRESS } from './upstream-namespace.js';

export const NETWORKPROXY_DEMO_POLICY = 'examples/policies/api-client-networkproxy.yaml';

/** The command the demo confines: what it tries is said before each request. */
export const NETWORKPROXY_DEMO_SCRIPT = [
  `echo "GET http://${UPSTREAM_ADDRESS}/public/hello (the policy allows it):"`,
  `curl -sS -m 5 http://${UPSTREAM_ADDRESS}/public/hello`,
  `echo "GET http://${UPSTREAM_ADDRESS}/private (no rule allows it):"`,
  `curl -sS -m 5 http://${UPSTREAM_ADDRESS}/private`,
].join('; ');

/** Writes whole lines, each indented, from chunks that may end mid-line. */
function indentedLines(write: (line: string) => void): { chunk(text: string): void; flush(): void } {
  let pending = '';
  return {
    chunk(text) {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) write(`  ${line}`);
    },
    flush() {
      if (pending !== '') write(`  ${pending}`);
      pending = '';
    },
  };
}

/** Runs the step; true when the allowed request got the server's answer and the denied one the proxy's 403. */
export async function networkProxyDemo(engine: Engine, repo: string, io: CliIO): Promise<boolean> {
  const policy = join(repo, NETWORKPROXY_DEMO_POLICY);
  io.out(`armorkit demo: NetworkProxy — armorkit run --policy ${NETWORKPROXY_DEMO_POLICY} -- sh -c '...' on this host (the command in its own network namespace, the proxy beside it):`);
  if (process.getuid?.() !== 0) {
    io.out('  needs root (a network namespace, a veth pair, iptables nat); run `make demo` as root to see it');
    return false;
  }
  let upstream;
  try {
    upstream = await startUpstreamNamespace();
  } catch (error) {
    io.out(`  the demo's server namespace could not be made: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  let seen = '';
  const output = indentedLines((line) => io.out(line));
  // One stream (stdout) for the run's lines, the events and the command's output, so they keep their order.
  const stepIO: CliIO = {
    cwd: repo,
    out: (text) => output.chunk(`${text}\n`),
    err: (text) => output.chunk(`${text}\n`),
    commandOutput: {
      stdout: (chunk) => {
        seen += chunk;
        output.chunk(chunk);
      },
      stderr: (chunk) => output.chunk(chunk),
    },
  };
  try {
    const code = await runCommand(engine, ['sh', '-c', NETWORKPROXY_DEMO_SCRIPT], { policy: [policy] }, stepIO);
    output.flush();
    const behaved = code === 0 && seen.includes('upstream saw GET /public/hello') && seen.includes('armorkit: access denied');
    io.out(`  ${behaved ? 'ok' : 'UNEXPECTED'}: allowed request answered by the server, denied one refused by the proxy (403), its event above; \`armorkit audit --source networkproxy\` reads the events file`);
    return behaved;
  } finally {
    upstream.remove();
  }
}
