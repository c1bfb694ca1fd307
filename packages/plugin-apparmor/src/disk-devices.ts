import { diskDevicesFromPartitions } from '@armorkit/core';
import type { AppArmorArtifactData } from './compile/compile-profile.js';

// Read by core's helper, shared with the BPF plugin.
export { diskDevicesFromPartitions };

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
