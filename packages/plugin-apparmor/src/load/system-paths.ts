/** Files of the running system the loader reads and writes; configurable so tests can point elsewhere. */
export interface AppArmorSystemPaths {
  /** Where profiles are written (`/etc/apparmor.d`). */
  profileDirectory: string;
  /** `Y` when AppArmor is enabled. */
  enabled: string;
  /** The loaded profiles, one `name (mode)` per line. */
  loadedProfiles: string;
  /** Block devices, for the disk-device rules. */
  partitions: string;
}

export const DEFAULT_SYSTEM_PATHS: AppArmorSystemPaths = {
  profileDirectory: '/etc/apparmor.d',
  enabled: '/sys/module/apparmor/parameters/enabled',
  loadedProfiles: '/sys/kernel/security/apparmor/profiles',
  partitions: '/proc/partitions',
};
