import type { AppArmorArtifactData } from './compile/compile-profile.js';

/** Device names from /proc/partitions (4th column; the header and blank lines skipped), sorted. */
export function diskDevicesFromPartitions(partitions: string): string[] {
  const devices = new Set<string>();
  for (const line of partitions.split('\n')) {
    const columns = line.trim().split(/\s+/);
    const name = columns[3];
    if (columns.length < 4 || name === undefined || name === 'name' || !/^\d+$/.test(columns[0] ?? '')) continue;
    if (/^[A-Za-z0-9._-]+$/.test(name)) devices.add(name);
  }
  return [...devices].sort();
}

/** The profile text with each disk-device marker replaced by one rule per device (reference §2.9). */
export function expandDiskDevices(data: AppArmorArtifactData, devices: readonly string[]): string {
  if (data.diskDevices.length === 0) return data.text;
  const lines = data.text.split('\n');
  // Replace from the bottom so earlier line numbers stay valid.
  for (const marker of [...data.diskDevices].sort((a, b) => b.line - a.line)) {
    const expanded = devices.map((device) =>
      marker.kind === 'access'
        ? `${marker.indent}${marker.prefix}/dev/${device} rw,`
        : `${marker.indent}${marker.prefix}mount /dev/${device},`,
    );
    lines.splice(marker.line - 1, 1, ...expanded);
  }
  return lines.join('\n');
}
