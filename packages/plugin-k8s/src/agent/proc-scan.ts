import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { containerOfCgroupFile } from './cgroup-path.js';
import type { ContainerProcess } from './bpf-plan.js';

/** `mnt:[4026532301]` (the target of /proc/<pid>/ns/mnt) → 4026532301. */
export function mountNamespaceOfLink(link: string): number | undefined {
  const id = /^mnt:\[(\d+)\]$/.exec(link)?.[1];
  return id === undefined ? undefined : Number(id);
}

/** The mount namespace of a process, or undefined when it is gone (or not readable). */
export async function mountNamespaceOf(proc: string, pid: number | 'self'): Promise<number | undefined> {
  try {
    return mountNamespaceOfLink(await readlink(join(proc, String(pid), 'ns/mnt')));
  } catch {
    return undefined;
  }
}

/** One process, or undefined when it is in no pod's container or went away while being read. */
export async function containerProcess(proc: string, pid: number): Promise<ContainerProcess | undefined> {
  let cgroup: string;
  try {
    cgroup = await readFile(join(proc, String(pid), 'cgroup'), 'utf8');
  } catch {
    return undefined;
  }
  const container = containerOfCgroupFile(cgroup);
  if (!container) return undefined;
  const mountNamespace = await mountNamespaceOf(proc, pid);
  return mountNamespace === undefined ? undefined : { pid, ...container, mountNamespace };
}

const SCAN_BATCH = 64;

/** Every process of `<proc>` in a pod's container (the node's, with hostPID), sorted by pid. */
export async function scanContainerProcesses(proc: string): Promise<ContainerProcess[]> {
  const pids = (await readdir(proc)).filter((name) => /^\d+$/.test(name)).map(Number);
  const found: (ContainerProcess | undefined)[] = [];
  // A bounded number of files open at once, however many processes the node runs.
  for (let start = 0; start < pids.length; start += SCAN_BATCH) {
    found.push(...(await Promise.all(pids.slice(start, start + SCAN_BATCH).map((pid) => containerProcess(proc, pid)))));
  }
  return found.filter((process): process is ContainerProcess => process !== undefined).sort((a, b) => a.pid - b.pid);
}
