// The run's proxy process (`armorkit run` starts it in the run's network namespace as the proxy's UID): the
// configuration comes on stdin (no file the proxy's UID would need to read), events and messages go to stderr,
// where the run reads them. It stops by itself when the run's armorkit process is gone (its parent changes).
import { parseProxyConfig } from '../config/proxy-config.js';
import { runProxy } from '../proxy/run-proxy.js';
import { serveUntilStopped } from '../proxy/serve.js';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const read = parseProxyConfig(Buffer.concat(chunks).toString('utf8'), "the run's proxy configuration");
if (!read.ok) {
  process.stderr.write(`armorkit proxy: ${read.errors.map((error) => `${error.pointer}: ${error.message}`).join('; ')}\n`);
  process.exit(1);
}
const parent = process.ppid;
// SIGKILL gives armorkit no cleanup; the proxy ends itself (the next run removes the namespace, run-network.ts).
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
}, 1000).unref();
const running = await runProxy(read.value, { readConfig: () => read });
const listening = running.addresses.map((address) => (address.family === 6 ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`));
process.stderr.write(`armorkit proxy: listening on ${listening.join(', ')}\n`);
process.exit(await serveUntilStopped(running, (line) => process.stderr.write(`${line}\n`)));
