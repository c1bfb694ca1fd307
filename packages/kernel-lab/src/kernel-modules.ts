import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { aptInstallCommand, debianPackages } from './debian-packages.js';
import { fail, labError, succeed, type LabOutcome } from './lab-error.js';

/**
 * What the guest loads before it can see the host: the virtio PCI transport, 9p over virtio,
 * overlayfs for a writable root, and virtio-console for the stdout/stderr/status ports.
 */
export const labModuleNames = ['virtio_pci', '9pnet_virtio', '9p', 'overlay', 'virtio_console'] as const;

/** One module file to put in the initramfs, in load order. */
export interface KernelModule {
  /** `9pnet_virtio` */
  name: string;
  /** Absolute path of the file on the host (`.ko`, `.ko.xz`, `.ko.zst` or `.ko.gz`). */
  path: string;
}

const moduleSuffix = /\.ko(\.xz|\.zst|\.gz)?$/;

/** `kernel/net/9p/9pnet_virtio.ko.xz` → `9pnet_virtio` (file names use `-` and `_` interchangeably). */
export function moduleNameOf(file: string): string {
  return basename(file).replace(moduleSuffix, '').replace(/-/g, '_');
}

/** Parses `modules.dep`: each module's relative path and its dependencies' relative paths. */
export function parseModulesDep(text: string): Map<string, { path: string; dependencies: string[] }> {
  const modules = new Map<string, { path: string; dependencies: string[] }>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const path = line.slice(0, colon).trim();
    const dependencies = line.slice(colon + 1).trim().split(/\s+/).filter(Boolean);
    modules.set(moduleNameOf(path), { path, dependencies });
  }
  return modules;
}

/**
 * The modules to insert, dependencies first, for the wanted names. Built-in modules (listed in modules.builtin)
 * need no file and are left out.
 */
export function resolveModuleLoadOrder(
  wanted: readonly string[],
  modulesDep: string,
  builtin: string,
  modulesDir: string,
): LabOutcome<KernelModule[]> {
  const modules = parseModulesDep(modulesDep);
  const builtinNames = new Set(builtin.split('\n').filter(Boolean).map(moduleNameOf));
  const ordered: KernelModule[] = [];
  const seen = new Set<string>();
  const missing: string[] = [];
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    if (builtinNames.has(name)) return;
    const entry = modules.get(name);
    if (!entry) {
      missing.push(name);
      return;
    }
    // modules.dep lists a module's dependencies so that the last one must be loaded first.
    for (const dependency of [...entry.dependencies].reverse()) visit(moduleNameOf(dependency));
    ordered.push({ name, path: join(modulesDir, entry.path) });
  };
  for (const name of wanted) visit(name.replace(/-/g, '_'));
  if (missing.length > 0) {
    return fail(
      labError('kernel-modules-missing', `the kernel has no module ${missing.join(', ')}`, {
        path: modulesDir,
        remedy: aptInstallCommand([debianPackages.kernel]),
      }),
    );
  }
  return succeed(ordered);
}

/** The lab's modules for a kernel, read from its modules directory. */
export function labModulesFor(modulesDir: string, wanted: readonly string[] = labModuleNames): LabOutcome<KernelModule[]> {
  const depPath = join(modulesDir, 'modules.dep');
  if (!existsSync(depPath)) {
    return fail(
      labError('kernel-modules-missing', 'the kernel has no modules directory (modules.dep not found)', {
        path: modulesDir,
        remedy: aptInstallCommand([debianPackages.kernel]),
      }),
    );
  }
  const builtinPath = join(modulesDir, 'modules.builtin');
  const builtin = existsSync(builtinPath) ? readFileSync(builtinPath, 'utf8') : '';
  const order = resolveModuleLoadOrder(wanted, readFileSync(depPath, 'utf8'), builtin, modulesDir);
  if (!order.ok) return order;
  const absent = order.value.find((module) => !existsSync(module.path));
  if (absent) {
    return fail(
      labError('kernel-modules-missing', `module ${absent.name} is listed in modules.dep but its file is missing`, {
        path: absent.path,
        remedy: aptInstallCommand([debianPackages.kernel]),
      }),
    );
  }
  return order;
}
