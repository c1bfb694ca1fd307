// A run's own network: a named namespace joined to the host by a veth pair, a /30 of RUN_NETWORK_POOL (one not routed
// on the host yet) and, where the host has IPv6, the /64 of RUN_NETWORK_POOL6 with the same index; the namespace's
// default routes through the host, NAT to the outside there, forwarding on while any run needs it. A record written
// first (run-record.ts) names it all, so what a SIGKILLed run left is removed by the next one (reapAbandonedRuns).
// Everything made is undone by remove(), in reverse order, also after a partial set-up.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { HOST_RULE_COMMAND, hostRules, ruleArguments, runComment } from './host-rules.js';
import { currentOwner, ownerAlive, readRunRecords, removeRunRecord, type RunRecord, writeRunRecord } from './run-record.js';

/** The pool the runs' /30 networks come from (shared address space of RFC 6598 is busier; this /16 is rarely routed). */
export const RUN_NETWORK_POOL = { base: (10 << 24) | (213 << 16), blocks: 1 << 14 } as const;
/** The runs' IPv6 networks: `<prefix>:<index>::/64` of this ULA /48 (RFC 4193), the index of the run's IPv4 /30. */
export const RUN_NETWORK_POOL6 = 'fd61:726d:6b69';
/** Names of the runs' namespaces: `armorkit-run-<id>`. */
export const RUN_NAMESPACE_PREFIX = 'armorkit-run-';

interface Forwarding {
  /** The sysctl file. */
  file: string;
  /** Present while forwarding is on because a run turned it on (the last run to end turns it off again). */
  mark: string;
}
const FORWARDING: Record<4 | 6, Forwarding> = {
  4: { file: '/proc/sys/net/ipv4/ip_forward', mark: '/run/armorkit/run-ip-forward' },
  6: { file: '/proc/sys/net/ipv6/conf/all/forwarding', mark: '/run/armorkit/run-ipv6-forward' },
};

export interface RunNetwork {
  id: string;
  namespace: string;
  /** `/run/netns/<namespace>`, for nsenter. */
  namespacePath: string;
  hostDevice: string;
  hostAddress: string;
  namespaceAddress: string;
  /** The IPv6 addresses, when the host has IPv6 (and ip6tables' nat table). */
  hostAddress6?: string;
  namespaceAddress6?: string;
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

function enableForwarding(family: 4 | 6): void {
  const { file, mark } = FORWARDING[family];
  if (readFileSync(file, 'utf8').trim() === '1') return;
  mkdirSync('/run/armorkit', { recursive: true, mode: 0o755 });
  writeFileSync(mark, '');
  writeFileSync(file, '1');
}

/** Turns forwarding off again where a run turned it on and no run's namespace is left. */
function releaseForwarding(): void {
  if (runNamespaces().length > 0) return;
  for (const { file, mark } of Object.values(FORWARDING)) {
    if (!existsSync(mark)) continue;
    writeFileSync(file, '0');
    rmSync(mark, { force: true });
  }
}

/** IPv6 on the host, and ip6tables with its nat table (the MASQUERADE of the namespace's address). */
function hostHasIpv6(): boolean {
  try {
    if (readFileSync('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'utf8').trim() !== '0') return false;
    execFileSync('ip6tables', ['-w', '-t', 'nat', '-S', 'POSTROUTING'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ipv6Of = (block: number, host: 1 | 2): string => `${RUN_NETWORK_POOL6}:${((block - RUN_NETWORK_POOL.base) / 4).toString(16)}::${host}`;

/** Removes what the record names, best effort: its processes, its namespace (the veth goes with it), its host rules. */
function removeRecorded(record: RunRecord): string[] {
  const problems: string[] = [];
  const attempt = (step: () => void): void => {
    try {
      step();
    } catch (error) {
      problems.push(commandError(error));
    }
  };
  if (runNamespaces().includes(record.namespace)) {
    // The abandoned command and proxy would keep the namespace alive, unnamed, after `ip netns del`.
    attempt(() => execFileSync('ip', ['netns', 'pids', record.namespace], { encoding: 'utf8' }).split('\n').filter((pid) => /^\d+$/.test(pid)).forEach((pid) => killQuietly(Number(pid))));
    attempt(() => run('ip', ['netns', 'del', record.namespace]));
  }
  const links = [{ address: record.namespaceAddress }, ...(record.namespaceAddress6 ? [{ address: record.namespaceAddress6 }] : [])];
  for (const link of links) {
    for (const rule of hostRules({ id: record.id, hostDevice: record.hostDevice, namespaceAddress: link.address })) {
      // A rule already gone (removed by the run itself before it was killed) is not a problem.
      try {
        run(HOST_RULE_COMMAND[rule.family], ruleArguments(rule, '-D'));
      } catch {
        // Not there.
      }
    }
  }
  removeRunRecord(record.id);
  return problems;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/**
 * Removes what runs whose armorkit process is gone (SIGKILLed, or the machine's power cut mid-run: /run is tmpfs,
 * so then nothing is left) left behind: the processes in their namespace, the namespace, the veth, the host's rules,
 * their private files. Returns the ids reaped and what could not be removed. Live runs are never touched.
 */
export function reapAbandonedRuns(): { reaped: string[]; problems: string[] } {
  const reaped: string[] = [];
  const problems: string[] = [];
  for (const record of readRunRecords()) {
    if (ownerAlive(record)) continue;
    problems.push(...removeRecorded(record));
    reaped.push(record.id);
  }
  if (reaped.length > 0) releaseForwarding();
  return { reaped, problems };
}

/**
 * Makes the run's network (after reaping abandoned runs); on failure removes what it made and throws with the
 * command's message.
 */
export function createRunNetwork(): RunNetwork {
  reapAbandonedRuns();
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
    const ipv6 = hostHasIpv6() ? { hostAddress6: ipv6Of(block, 1), namespaceAddress6: ipv6Of(block, 2) } : undefined;
    // The record first: whatever happens after, the next run finds what this one made. It goes last.
    writeRunRecord({ id, ...currentOwner(), namespace, hostDevice, namespaceAddress, ...(ipv6 && { namespaceAddress6: ipv6.namespaceAddress6 }) });
    undo.push(() => removeRunRecord(id));
    run('ip', ['netns', 'add', namespace]);
    // The namespace goes next to last: the veth dies with it, and forwarding is released once no run's namespace is left.
    undo.push(() => releaseForwarding());
    undo.push(() => run('ip', ['netns', 'del', namespace]));
    run('ip', ['link', 'add', hostDevice, 'type', 'veth', 'peer', 'name', innerDevice, 'netns', namespace]);
    run('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', hostDevice]);
    run('ip', ['-n', namespace, 'addr', 'add', `${namespaceAddress}/30`, 'dev', innerDevice]);
    if (ipv6) {
      // nodad: no duplicate can exist on a two-ended link, and a tentative address would refuse the first connections.
      run('ip', ['addr', 'add', `${ipv6.hostAddress6}/64`, 'dev', hostDevice, 'nodad']);
      run('ip', ['-n', namespace, 'addr', 'add', `${ipv6.namespaceAddress6}/64`, 'dev', innerDevice, 'nodad']);
    }
    run('ip', ['link', 'set', hostDevice, 'up']);
    run('ip', ['-n', namespace, 'link', 'set', innerDevice, 'up']);
    run('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', namespace, 'route', 'add', 'default', 'via', hostAddress]);
    if (ipv6) run('ip', ['-n', namespace, '-6', 'route', 'add', 'default', 'via', ipv6.hostAddress6]);
    const links = [namespaceAddress, ...(ipv6 ? [ipv6.namespaceAddress6] : [])];
    for (const rule of links.flatMap((address) => hostRules({ id, hostDevice, namespaceAddress: address }))) {
      run(HOST_RULE_COMMAND[rule.family], ruleArguments(rule, '-I'));
      undo.push(() => run(HOST_RULE_COMMAND[rule.family], ruleArguments(rule, '-D')));
    }
    enableForwarding(4);
    if (ipv6) enableForwarding(6);
    return { id, namespace, namespacePath: `/run/netns/${namespace}`, hostDevice, hostAddress, namespaceAddress, ...ipv6, remove };
  } catch (error) {
    remove();
    throw new Error(commandError(error));
  }
}

/** The host rules of run `id` still in place, both families (for checks: a finished run leaves none). */
export function remainingHostRules(id: string): string[] {
  const comment = runComment(id);
  return Object.values(HOST_RULE_COMMAND).flatMap((command) =>
    (['nat', 'filter'] as const).flatMap((table) => {
      let listed: string;
      try {
        listed = execFileSync(command, ['-w', '-t', table, '-S'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return [];
      }
      return listed.split('\n').filter((line) => line.includes(comment)).map((line) => `${command} -t ${table} ${line}`);
    }),
  );
}

