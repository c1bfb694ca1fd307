import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aptInstallCommand, debianPackages } from './debian-packages.js';
import { fail, labError, succeed, type LabOutcome } from './lab-error.js';

/** A bootable kernel and the files that belong to it. */
export interface KernelImage {
  /** `uname -r` of the kernel, e.g. `6.1.0-56-amd64`. */
  version: string;
  imagePath: string;
  configPath: string;
  modulesDir: string;
}

export interface KernelSearch {
  bootDir?: string;
  modulesRoot?: string;
}

/** Config options without which the lab cannot prove enforcement. */
const requiredConfig = ['CONFIG_SECURITY_APPARMOR', 'CONFIG_BPF_LSM'] as const;

export function kernelConfigSupportsLab(configText: string): boolean {
  return requiredConfig.every((option) => new RegExp(`^${option}=y$`, 'm').test(configText));
}

/** Newest first, comparing numeric parts as numbers (`6.10` after `6.9`). */
export function compareKernelVersions(left: string, right: string): number {
  const parts = (version: string) => version.split(/[.\-+]/).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const a = parts(left);
  const b = parts(right);
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const x = a[index];
    const y = b[index];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** Every kernel in the boot directory whose config enables AppArmor and BPF-LSM, newest first. */
export function findLabKernels(search: KernelSearch = {}): KernelImage[] {
  const bootDir = search.bootDir ?? '/boot';
  const modulesRoot = search.modulesRoot ?? '/lib/modules';
  if (!existsSync(bootDir)) return [];
  return readdirSync(bootDir)
    .filter((name) => name.startsWith('vmlinuz-'))
    .map((name) => name.slice('vmlinuz-'.length))
    .filter((version) => {
      const configPath = join(bootDir, `config-${version}`);
      return existsSync(configPath) && kernelConfigSupportsLab(readFileSync(configPath, 'utf8'));
    })
    .sort((a, b) => compareKernelVersions(b, a))
    .map((version) => ({
      version,
      imagePath: join(bootDir, `vmlinuz-${version}`),
      configPath: join(bootDir, `config-${version}`),
      modulesDir: join(modulesRoot, version),
    }));
}

/** The kernel to boot: the given image, or the newest one that can enforce AppArmor and BPF-LSM. */
export function resolveLabKernel(imagePath?: string, search: KernelSearch = {}): LabOutcome<KernelImage> {
  const kernels = findLabKernels(search);
  if (imagePath === undefined) {
    const newest = kernels[0];
    if (newest) return succeed(newest);
    return fail(
      labError('kernel-missing', 'no kernel in /boot has CONFIG_SECURITY_APPARMOR=y and CONFIG_BPF_LSM=y', {
        path: search.bootDir ?? '/boot',
        remedy: aptInstallCommand([debianPackages.kernel]),
      }),
    );
  }
  const chosen = kernels.find((kernel) => kernel.imagePath === imagePath);
  if (chosen) return succeed(chosen);
  if (!existsSync(imagePath)) {
    return fail(labError('kernel-missing', 'the kernel image does not exist', { path: imagePath }));
  }
  const version = /vmlinuz-(.+)$/.exec(imagePath)?.[1];
  if (version === undefined) {
    return fail(
      labError('kernel-missing', 'cannot tell the kernel version: the image must be named vmlinuz-<version>', { path: imagePath }),
    );
  }
  const bootDir = search.bootDir ?? '/boot';
  const configPath = join(bootDir, `config-${version}`);
  return succeed({ version, imagePath, configPath, modulesDir: join(search.modulesRoot ?? '/lib/modules', version) });
}
