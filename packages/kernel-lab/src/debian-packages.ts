/** The Debian packages that provide each piece the lab needs; doctor and errors name them in one apt command. */
export const debianPackages = {
  qemu: 'qemu-system-x86',
  kernel: 'linux-image-amd64',
  busybox: 'busybox-static',
  xz: 'xz-utils',
  zstd: 'zstd',
} as const;

export function aptInstallCommand(packages: readonly string[]): string {
  return `apt-get install -y ${[...new Set(packages)].sort().join(' ')}`;
}
