import { readdirSync, readlinkSync, statSync } from 'node:fs';

/** The mount namespace id (its nsfs inode) of a process, `self` by default: what the programs key profiles by. */
export function mountNamespaceOf(pid: number | 'self' = 'self'): number {
  return Number(statSync(`/proc/${pid}/ns/mnt`).ino);
}

/** `mnt:[4026531841]` → 4026531841. */
export function parseNamespaceLink(link: string): number | undefined {
  const match = /^mnt:\[(\d+)\]$/.exec(link.trim());
  return match?.[1] ? Number(match[1]) : undefined;
}

/** The mount namespaces some live process is in (from /proc), to drop profiles of namespaces that are gone. */
export function liveMountNamespaces(proc = '/proc'): Set<number> {
  const live = new Set<number>();
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((name) => /^\d+$/.test(name));
  } catch {
    return live;
  }
  for (const pid of pids) {
    try {
      const id = parseNamespaceLink(readlinkSync(`${proc}/${pid}/ns/mnt`));
      if (id !== undefined) live.add(id);
    } catch {
      // The process exited meanwhile.
    }
  }
  return live;
}
