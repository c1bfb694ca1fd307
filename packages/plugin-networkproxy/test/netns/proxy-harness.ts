// The pieces a netns proxy test starts: the upstream servers in the server namespace, `armorkit proxy` (from source)
// in the client namespace behind the capture rules, and clients (curl, a raw Node client) under another UID.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { failureMessage } from '@armorkit/core';
import { applyCapture } from '../../src/entries/capture.js';
import type { ProxyConfig } from '../../src/entries/config.js';
import { compileEgress } from '../../src/compile/compile-table.js';
import { CLIENT_UID, NetnsLab } from './lab.js';
import { makeTestCa, type TestCa } from './test-ca.js';
import { generateMitmCa, writeMitmCaFiles } from '../../src/entries/pki.js';
import type { MitmSettings } from '../../src/entries/config.js';

const CLI = new URL('../../../cli/src/bin.ts', import.meta.url).pathname;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const UPSTREAMS = new URL('./fixtures/upstreams.mjs', import.meta.url).pathname;
const RAW_CLIENT = new URL('./fixtures/raw-client.mjs', import.meta.url).pathname;
const H2_CLIENT = new URL('./fixtures/h2-client.mjs', import.meta.url).pathname;

/** What a test asks the Node HTTP/2 client to send on one session; chunks of an interactive stream wait for their echo. */
export interface H2Request {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  chunks?: string[];
  interactive?: boolean;
  trailers?: Record<string, string>;
}

export interface H2Response {
  status?: number;
  headers?: Record<string, string | string[]>;
  body: string;
  trailers?: Record<string, string>;
  echoes?: string[];
  error?: string;
}

export const PROXY_PORT = 15001;
export const ADMIN_PORT = 15000;

export type Egress = Parameters<typeof compileEgress>[0];

export interface RawStep {
  write?: string;
  repeat?: string;
  times?: number;
  wait?: number;
  end?: boolean;
  waitFile?: string;
  /** Creates this file (in `signals`): tells the test how far the client got. */
  touch?: string;
  waitBytes?: number;
}

export interface RawResult {
  received: string;
  closed: boolean;
  error: string | null;
}

/** Waits until a child prints `text` on stdout or stderr; fails with what it printed when it exits first. */
function printed(child: ChildProcess, text: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}": ${output}`)), timeoutMs);
    const look = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${text}": ${output}`));
    });
  });
}

export class ProxyHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'armorkit-netns-proxy-'));
  readonly configFile = join(this.dir, 'proxy.json');
  readonly eventsFile = join(this.dir, 'events.log');
  /** A directory the clients' UID may write in, for `touch` steps. */
  readonly signals = join(this.dir, 'signals');
  proxy: ChildProcess | undefined;
  proxyOutput = '';
  /** With MITM: the CA the proxy signs its leaves with, which the clients trust. */
  mitmCaFile: string | undefined;
  private mitm: { settings: Pick<MitmSettings, 'domains' | 'headerMutations'>; caFiles: { certificateFile: string; keyFile: string } } | undefined;

  private constructor(
    readonly lab: NetnsLab,
    readonly ca: TestCa,
  ) {
    chmodSync(this.dir, 0o755);
    mkdirSync(this.signals, { mode: 0o777 });
    chmodSync(this.signals, 0o777);
  }

  static async start(
    egress: Egress,
    hosts: Record<string, string[]>,
    options: { headerTimeoutMs?: number; maxConnections?: number; mitm?: Pick<MitmSettings, 'domains' | 'headerMutations'> } = {},
  ): Promise<ProxyHarness> {
    const lab = NetnsLab.create(hosts);
    let harness: ProxyHarness | undefined;
    try {
      const a = lab.addresses;
      const ca = await makeTestCa(Object.keys(hosts), [a.server4, a.other4, a.server6, a.other6]);
      harness = new ProxyHarness(lab, ca);
      const upstreams = lab.spawn(lab.serverNs, [process.execPath, UPSTREAMS, JSON.stringify({ certFile: ca.certFile, keyFile: ca.keyFile, ...(options.mitm && { otherCertFile: ca.otherCertFile }) })]);
      await printed(upstreams, 'ready');
      if (options.mitm) await harness.makeMitmCa(options.mitm);
      harness.writeConfig(egress);
      // np-compile's capture rules, as `armorkit run` and the init container apply them; the proxy runs as root here.
      const capture = await applyCapture(lab.clientNs, { proxyUID: 0, proxyPort: PROXY_PORT, proxyAdminPort: ADMIN_PORT });
      if (!capture.ok) throw new Error(failureMessage(capture));
      await harness.startProxy(options.headerTimeoutMs, options.maxConnections);
      return harness;
    } catch (error) {
      // Everything made so far goes, the temporary directories too.
      if (harness) await harness.close();
      else await lab.close();
      throw error;
    }
  }

  /** A MITM CA as `armorkit mitm-ca` writes it, in a directory the clients' UID can read the certificate from. */
  private async makeMitmCa(settings: Pick<MitmSettings, 'domains' | 'headerMutations'>): Promise<void> {
    const directory = join(this.dir, 'mitm-ca');
    mkdirSync(directory, { mode: 0o755 });
    const written = await writeMitmCaFiles(directory, await generateMitmCa());
    if (!written.ok) throw new Error(failureMessage(written));
    this.mitm = { settings, caFiles: written.value };
    this.mitmCaFile = written.value.certificateFile;
  }

  /** The configuration `armorkit compile` would write for a policy with this egress block, events to a file. */
  writeConfig(egress: Egress): void {
    const table = compileEgress(egress, '/spec/policy/enhanceProtect/networkProxyRawRules/egress');
    if (!table.ok) throw new Error(JSON.stringify(table.errors));
    const config: ProxyConfig = {
      version: 1,
      proxyPort: PROXY_PORT,
      proxyAdminPort: ADMIN_PORT,
      proxyUID: 0,
      decisions: table.value,
      spoofingProtection: { enabled: table.value.defaultAction === 'deny', maxCacheSeconds: 30 },
      audit: { profileName: 'netns-test', events: { to: 'file', path: this.eventsFile } },
      // The upstream servers' certificates come from the test CA: trusted as a private CA would be.
      ...(this.mitm && { mitm: { ...this.mitm.settings, ca: this.mitm.caFiles, upstreamCaFiles: [this.ca.caFile] } }),
    };
    writeFileSync(this.configFile, `${JSON.stringify(config, null, 2)}\n`);
  }

  private async startProxy(headerTimeoutMs = 1_500, maxConnections?: number): Promise<void> {
    const proxy = this.lab.spawn(this.lab.clientNs, [
      process.execPath,
      '--conditions=source',
      '--import',
      TSX,
      CLI,
      'proxy',
      '--config',
      this.configFile,
      '--header-timeout-ms',
      String(headerTimeoutMs),
      ...(maxConnections === undefined ? [] : ['--max-connections', String(maxConnections)]),
    ]);
    proxy.stderr?.on('data', (chunk: Buffer) => (this.proxyOutput += chunk.toString()));
    this.proxy = proxy;
    await printed(proxy, 'listening on');
  }

  /** curl in the client namespace as another UID, trusting the test CA. */
  curl(args: string[]) {
    return this.lab.run(this.lab.clientNs, ['curl', '-sS', '--max-time', '10', '--cacert', this.ca.caFile, ...args], { uid: CLIENT_UID });
  }

  /** curl in the client namespace as another UID, trusting only the MITM CA (what a mutated pod's bundle gives it). */
  curlMitm(args: string[]) {
    return this.lab.run(this.lab.clientNs, ['curl', '-sS', '--max-time', '10', '--cacert', this.mitmCaFile ?? '/nonexistent', ...args], { uid: CLIENT_UID });
  }

  /** The Node HTTP/2 client in the client namespace as another UID: the requests as streams of one session. */
  async h2(origin: string, requests: H2Request[], caFile = this.mitmCaFile): Promise<{ responses: H2Response[]; error: string | null }> {
    const run = await this.lab.run(this.lab.clientNs, [process.execPath, H2_CLIENT, JSON.stringify({ origin, caFile, requests })], { uid: CLIENT_UID, timeoutMs: 20_000 });
    if (run.code !== 0) throw new Error(`h2 client failed (${run.code}): ${run.stderr}`);
    return JSON.parse(run.stdout) as { responses: H2Response[]; error: string | null };
  }

  /** The raw client in the client namespace as another UID. */
  async raw(host: string, port: number, steps: RawStep[], timeoutMs = 10_000): Promise<RawResult> {
    const run = await this.lab.run(this.lab.clientNs, [process.execPath, RAW_CLIENT, JSON.stringify({ host, port, steps, timeoutMs })], { uid: CLIENT_UID, timeoutMs: timeoutMs + 10_000 });
    if (run.code !== 0) throw new Error(`raw client failed (${run.code}): ${run.stderr}`);
    return JSON.parse(run.stdout) as RawResult;
  }

  /** Admin endpoint, from the proxy's UID (the capture rules drop it for others). */
  admin(path: string, method = 'GET') {
    return this.lab.run(this.lab.clientNs, ['curl', '-sS', '--max-time', '5', '-X', method, `http://127.0.0.1:${ADMIN_PORT}${path}`]);
  }

  /** Waits (polling) until a client's `touch` step has run. */
  async touched(name: string): Promise<void> {
    for (let waited = 0; waited < 20_000 && !existsSync(join(this.signals, name)); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** The audit events written so far; waits (polling) until `until` holds or 10 s went by. */
  async events(until: (events: Array<Record<string, unknown>>) => boolean = () => true): Promise<Array<Record<string, unknown>>> {
    // Only complete lines: the proxy may be in the middle of writing the last one.
    const read = (): Array<Record<string, unknown>> =>
      existsSync(this.eventsFile)
        ? readFileSync(this.eventsFile, 'utf8')
            .split('\n')
            .slice(0, -1)
            .filter((line) => line.length > 0)
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [];
    for (let waited = 0; waited < 10_000; waited += 50) {
      const events = read();
      if (until(events)) return events;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return read();
  }

  async close(): Promise<void> {
    await this.lab.close();
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.ca.dir, { recursive: true, force: true });
  }
}

/** The status codes of the responses in a raw exchange, in order. */
export function statuses(received: string): number[] {
  return [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}
