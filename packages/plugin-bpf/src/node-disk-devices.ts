import { readFileSync } from 'node:fs';
import { diskDevicesFromPartitions } from './compile/disk-devices.js';

/** This machine's disk devices from /proc/partitions, or undefined where there is none. */
export function nodeDiskDevices(partitionsPath = '/proc/partitions'): string[] | undefined {
  try {
    return diskDevicesFromPartitions(readFileSync(partitionsPath, 'utf8'));
  } catch {
    return undefined;
  }
}
