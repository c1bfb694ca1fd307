import { describe, expect, it } from 'vitest';
import { findLabKernels } from '../src/kernel-image.js';
import { labModulesFor, resolveModuleLoadOrder } from '../src/kernel-modules.js';

describe('resolveModuleLoadOrder', () => {
  const modulesDep = [
    'kernel/fs/9p/9p.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/fs/fscache/fscache.ko.xz kernel/fs/netfs/netfs.ko.xz',
    'kernel/net/9p/9pnet.ko.xz:',
    'kernel/fs/fscache/fscache.ko.xz: kernel/fs/netfs/netfs.ko.xz',
    'kernel/fs/netfs/netfs.ko.xz:',
    'kernel/fs/overlayfs/overlay.ko.xz:',
  ].join('\n');

  it('puts every dependency before its user, once', () => {
    const order = resolveModuleLoadOrder(['9p', 'overlay'], modulesDep, '', '/m');
    expect(order.ok && order.value.map((module) => module.name)).toEqual(['netfs', 'fscache', '9pnet', '9p', 'overlay']);
    expect(order.ok && order.value[0]?.path).toBe('/m/kernel/fs/netfs/netfs.ko.xz');
  });

  it('skips built-in modules and reports unknown ones as a value', () => {
    const builtin = resolveModuleLoadOrder(['overlay'], modulesDep, 'kernel/fs/overlayfs/overlay.ko\n', '/m');
    expect(builtin.ok && builtin.value).toEqual([]);
    const unknown = resolveModuleLoadOrder(['virtio_console'], modulesDep, '', '/m');
    expect(!unknown.ok && unknown.error.code).toBe('kernel-modules-missing');
    expect(!unknown.ok && unknown.error.remedy).toBe('apt-get install -y linux-image-amd64');
  });
});

describe('the installed lab kernel', () => {
  it('is found with AppArmor and BPF-LSM, and has every module the guest loads', () => {
    const kernel = findLabKernels()[0];
    expect(kernel?.imagePath).toMatch(/^\/boot\/vmlinuz-/);
    const modules = labModulesFor(kernel?.modulesDir ?? '');
    expect(modules.ok).toBe(true);
    const names = modules.ok ? modules.value.map((module) => module.name) : [];
    expect(names.indexOf('virtio_ring')).toBeLessThan(names.indexOf('virtio_pci'));
    expect(names.indexOf('9pnet')).toBeLessThan(names.indexOf('9pnet_virtio'));
    expect(names.indexOf('netfs')).toBeLessThan(names.indexOf('9p'));
    expect(names).toEqual(expect.arrayContaining(['overlay', 'virtio_console']));
  });
});
