/**
 * The pattern the built-in rules use for "each disk device of the node" (`@armorkit/builtin-rules`
 * BPF_DISK_DEVICE_PATTERN); angle brackets never start a user pattern, so it cannot collide with one.
 */
export const DISK_DEVICE_PATTERN = '/dev/<disk-device>';

/** Device names of /proc/partitions (4th column; header and blank lines skipped), sorted and de-duplicated. */
export function diskDevicesFromPartitions(partitions: string): string[] {
  const devices = new Set<string>();
  for (const line of partitions.split('\n')) {
    const columns = line.trim().split(/\s+/);
    const name = columns[3];
    if (columns.length < 4 || name === undefined || !/^\d+$/.test(columns[0] ?? '')) continue;
    if (/^[A-Za-z0-9._-]+$/.test(name)) devices.add(name);
  }
  return [...devices].sort();
}

/** The patterns a rule pattern stands for: one `/dev/<name>` per disk device for the marker, itself otherwise. */
export function expandDiskDevices(pattern: string, devices: readonly string[]): string[] {
  return pattern === DISK_DEVICE_PATTERN ? devices.map((device) => `/dev/${device}`) : [pattern];
}
