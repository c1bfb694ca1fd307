import { readFileSync } from 'node:fs';
import { linuxSeccompSchema, type LinuxSeccomp } from '@armorkit/core/schema';

export const CONTAINERD_DEFAULT_PATH = new URL('../../../../../shared/corpus/seccomp/containerd-default.derived.json', import.meta.url).pathname;

interface DerivedEntry {
  names: string[];
  action: LinuxSeccomp['defaultAction'];
  errnoRet?: number;
  args?: NonNullable<LinuxSeccomp['syscalls']>[number]['args'];
  includes?: { arches?: string[]; caps?: string[]; minKernel?: string };
  excludes?: { arches?: string[]; caps?: string[] };
}

/** containerd's default capability set (oci.WithDefaultSpec / the CRI defaults). */
const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/**
 * The plain OCI profile containerd's DefaultProfile() emits for a container with the default capabilities on a
 * kernel ≥ 4.8, built for `goarch` ('amd64' | 'arm64'), from the moby-style derived corpus file.
 */
export function containerdDefaultProfile(goarch: 'amd64' | 'arm64' = 'amd64'): LinuxSeccomp {
  const derived = JSON.parse(readFileSync(CONTAINERD_DEFAULT_PATH, 'utf8')) as { defaultAction: LinuxSeccomp['defaultAction']; syscalls: DerivedEntry[] };
  const arches = goarch === 'amd64' ? ['amd64'] : ['arm', 'arm64'];
  const applies = (entry: DerivedEntry): boolean => {
    const { includes = {}, excludes = {} } = entry;
    if (includes.arches && !includes.arches.some((arch) => arches.includes(arch))) return false;
    if (includes.caps && !includes.caps.some((cap) => DEFAULT_CAPS.includes(cap))) return false;
    if (excludes.arches && excludes.arches.some((arch) => arches.includes(arch))) return false;
    if (excludes.caps && excludes.caps.some((cap) => DEFAULT_CAPS.includes(cap))) return false;
    return true;
  };
  return linuxSeccompSchema.parse({
    defaultAction: derived.defaultAction,
    syscalls: derived.syscalls.filter(applies).map(({ names, action, errnoRet, args }) => ({
      names,
      action,
      ...(errnoRet === undefined ? {} : { errnoRet }),
      ...(args === undefined ? {} : { args }),
    })),
  });
}
