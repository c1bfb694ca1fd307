import { DISK_DEVICE_PATTERN } from '@armorkit/core';

// The marker and /proc/partitions are read by core's helpers, shared with the AppArmor plugin and the built-in rules.
export { DISK_DEVICE_PATTERN, diskDevicesFromPartitions } from '@armorkit/core';

/** The patterns a rule pattern stands for: one `/dev/<name>` per disk device for the marker, itself otherwise. */
export function expandDiskDevices(pattern: string, devices: readonly string[]): string[] {
  return pattern === DISK_DEVICE_PATTERN ? devices.map((device) => `/dev/${device}`) : [pattern];
}
