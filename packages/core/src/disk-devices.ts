// The node's disk devices, which some built-in rules name as one pattern: AppArmor expands it into one rule per device
// when a profile is loaded, BPF into one table entry per device.

/**
 * The pattern a rule uses for "each disk device of the node"; angle brackets never start a user pattern, so it
 * cannot collide with one.
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
