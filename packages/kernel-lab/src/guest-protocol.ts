/**
 * The contract between the host and the guest's init: names of the virtio-serial ports, the kernel command-line
 * argument that points at the job, and the files of a job directory. Both sides read them from here.
 */
export const guestPorts = {
  stdout: 'armorkit.stdout',
  stderr: 'armorkit.stderr',
  kernelLog: 'armorkit.kmsg',
  /** Lines `start <uptime>`, then `exit <code>` or `error <message>`. */
  status: 'armorkit.status',
} as const;

export type GuestPort = keyof typeof guestPorts;

/** `armorkit.job=<host path of the job directory>` on the kernel command line. */
export const jobArgument = 'armorkit.job';

export const jobFiles = {
  /** Shell script run by the host's /bin/sh inside the guest's root: cwd, env, then exec of the command. */
  script: 'job.sh',
  /** Lines `<mount tag> <guest path>`: read-write 9p shares to mount over the root. */
  shares: 'shares',
} as const;

/** The 9p mount tag of the host's root filesystem. */
export const hostRootTag = 'host';

/** Environment variables every command in the lab sees. */
export const labEnvironment = {
  marker: 'ARMORKIT_KERNEL_LAB',
  outputDir: 'ARMORKIT_LAB_OUTPUT_DIR',
} as const;
