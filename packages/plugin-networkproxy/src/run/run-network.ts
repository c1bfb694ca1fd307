// A run's own network: a named namespace joined to the host by a veth pair, a /30 of RUN_NETWORK_POOL (one not routed
// on the host yet), the namespace's default route through the host, NAT to the outside there, IPv4 forwarding on
// while any run needs it. Everything made is undone by remove(), in reverse order, also after a partial set-up.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostRules, ruleArguments, runComment } from './host-rules.js';

/** The pool the runs' /30 networks come from (shared address space of RFC 6598 is busier; this /16 is rarely routed). */
export const RUN_NETWORK_POOL = { base: (10 << 24) | (213 << 16), blocks: 1 << 14 } as const;
/** Names of the runs' namespaces: `armorkit-run-<id>`. */
export const RUN_NAMESPACE_PREFIX = 'armorkit-run-';
const FORWARDING = '/proc/sys/net/ipv4/ip_forward';
/** Present while IPv4 forwarding is on because a run turned it on (the last run to end turns it off again). */
const FORWARDING_MARK = '/run/armorkit/run-ip-forward';

export interface RunNetwork {
  id: string;
  namespace: string;
  /** `/run/netns/<namespace>`, for nsenter. */
  namespacePath: string;
  hostDevice: string;
  hostAddress: string;
  namespaceAddress: string;
  /** Removes what was made; never throws, returns what could not be undone. */
  remove(): string[];
}

function run(command: string, args: readonly string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function commandError(error: unknown): string {
  const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : '';
  return stderr || (error instanceof Error ? error.message : String(error));
}

const dotted = (value: number): string => [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');

function parsedNetwork(text: string): { start: number; end: number } | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(text);
  if (!match) return undefined;
  const address = ((Number(match[1]) << 24) | (Number(match[2]) << 16) | (Number(match[3]) << 8) | Number(match[4])) >>> 0;
  const prefix = match[5] === undefined ? 32 : Number(match[5]);
  const size = 2 ** (32 - prefix);
  const start = address - (address % size);
  return { start, end: start + size - 1 };
}

/** The host's IPv4 routes other than the default ones, as intervals (every table: local and policy routes too). */
function routedIntervals(): { start: number; end: number }[] {
  const routes = JSON.parse(execFileSync('ip', ['-j', '-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }) || '[]') as { dst?: string }[];
  return routes.flatMap((route) => (route.dst && route.dst !== 'default' ? [parsedNetwork(route.dst)].filter((n) => n !== undefined) : []));
}

/** A /30 of the pool that overlaps no route of the host (so neither another run's nor anything else). */
function freeBlock(): number | undefined {
  const taken = routedIntervals();
  const first = randomBytes(2).readUInt16BE() % RUN_NETWORK_POOL.blocks;
  for (let step = 0; step < RUN_NETWORK_POOL.blocks; step++) {
    const start = RUN_NETWORK_POOL.base + ((first + step) % RUN_NETWORK_POOL.blocks) * 4;
    if (!taken.some((interval) => interval.start <= start + 3 && start <= interval.end)) return start;
  }
  return undefined;
}

/** The runs' namespaces that exist now. */
export function runNamespaces(): string[] {
  const listed = execFileSync('ip', ['-j', 'netns', 'list'], { encoding: 'utf8' }).trim();
  const entries = listed === '' ? [] : (JSON.parse(listed) as { name: string }[]);
  return entries.map((entry) => entry.name).filter((name) => name.startsWith(RUN_NAMESPACE_PREFIX));
}

function enableForwarding(): void {
  if (readFileSync(FORWARDING, 'utf8').trim() === '1') return;
  mkdirSync('/run/armorkit', { recursive: true, mode: 0o755 });
  writeFileSync(FORWARDING_MARK, '');
  writeFileSync(FORWARDING, '1');
}

/** Turns forwarding off again if a run turned it on and no run's namespace is left. */
function releaseForwarding(): void {
  if (!existsSync(FORWARDING_MARK) || runNamespaces().length > 0) return;
  writeFileSync(FORWARDING, '0');
  rmSync(FORWARDING_MARK, { force: true });
}

/** Makes the run's network; on failure removes what it made and throws with the command's message. */
export function createRunNetwork(): RunNetwork {
  const id = randomBytes(3).toString('hex');
  const namespace = `${RUN_NAMESPACE_PREFIX}${id}`;
  const hostDevice = `akr${id}h`;
  const innerDevice = `akr${id}n`;
  const undo: Array<() => void> = [];
  const remove = (): string[] => {
    const problems: string[] = [];
    for (const step of undo.reverse()) {
      try {
        step();
      } catch (error) {
        problems.push(commandError(error));
      }
    }
    undo.length = 0;
    return problems;
  };
  try {
    const block = freeBlock();
    if (block === undefined) throw new Error(`no free /30 left in ${dotted(RUN_NETWORK_POOL.base)}/16 for the run's network`);
    const hostAddress = dotted(block + 1);
    const namespaceAddress = dotted(block + 2);
    run('ip', ['netns', 'add', namespace]);
    // The namespace goes last: the veth dies with it, and forwarding is released once no run's namespace is left.
    undo.push(() => releaseForwarding());
    undo.push(() => run('ip', ['netns', 'del', namespace]));
    run('ip', ['link', 'add', hostDevice, 'type', 'veth', 'peer', 'name', innerDevice, 'netns', namespace]);
    run('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', hostDevice]);
    run('ip', ['link', 'set', hostDevice, 'up']);
    run('ip', ['-n', namespace, 'addr', 'add', `${namespaceAddress}/30`, 'dev', innerDevice]);
    run('ip', ['-n', namespace, 'link', 'set', innerDevice, 'up']);
    run('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', namespace, 'route', 'add', 'default', 'via', hostAddress]);
    for (const rule of hostRules({ id, hostDevice, namespaceAddress })) {
      run('iptables', ruleArguments(rule, '-I'));
      undo.push(() => run('iptables', ruleArguments(rule, '-D')));
    }
    enableForwarding();
    return { id, namespace, namespacePath: `/run/netns/${namespace}`, hostDevice, hostAddress, namespaceAddress, remove };
  } catch (error) {
    remove();
    throw new Error(commandError(error));
  }
}

/** The host rules of run `id` still in place (for checks: a finished run leaves none). */
export function remainingHostRules(id: string): string[] {
  const comment = runComment(id);
  return (['nat', 'filter'] as const).flatMap((table) =>
    execFileSync('iptables', ['-w', '-t', table, '-S'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(comment)),
  );
}

