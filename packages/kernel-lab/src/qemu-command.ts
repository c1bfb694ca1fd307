import { guestPorts, hostRootTag, jobArgument, type GuestPort } from './guest-protocol.js';

export type Accelerator = 'tcg' | 'kvm';

/** A read-write 9p share: `hostPath` on the host appears at `guestPath` in the guest. */
export interface LabShare {
  hostPath: string;
  guestPath: string;
}

export interface QemuCommandInput {
  kernelImage: string;
  initramfs: string;
  memoryMiB: number;
  cpus: number;
  accelerator: Accelerator;
  /** Host path of the job directory, visible at the same path in the guest. */
  jobDir: string;
  /** Unix socket (already listening) per guest port. */
  portSockets: Readonly<Record<GuestPort, string>>;
  /** Read-write shares, in mount order; their tags are `share0`, `share1`, … */
  shares: readonly LabShare[];
  extraKernelArguments?: readonly string[];
}

/**
 * Kernel command line. `lsm=` puts apparmor and bpf in the stack; `audit=1` with a large backlog and `printk.devkmsg=on`
 * make AppArmor and seccomp audit lines reach /dev/kmsg; `quiet` keeps them off the serial console.
 */
export function labKernelArguments(jobDir: string, extra: readonly string[] = []): string[] {
  return [
    'console=ttyS0',
    'quiet',
    'lsm=landlock,lockdown,yama,apparmor,bpf',
    'audit=1',
    'audit_backlog_limit=8192',
    'printk.devkmsg=on',
    'log_buf_len=8M',
    'panic=-1',
    'tsc=reliable',
    // Under TCG on a busy host the early IO-APIC timer check can miss its ticks and panic the boot ("IO-APIC + timer doesn't work").
    'no_timer_check',
    'mitigations=off',
    `${jobArgument}=${jobDir}`,
    ...extra,
  ];
}

/** qemu splits option values on commas; a literal comma is written twice. */
function optionValue(value: string): string {
  return value.replace(/,/g, ',,');
}

export function shareTag(index: number): string {
  return `share${index}`;
}

/** qemu-system-x86_64 arguments: no default devices, the console on stdio, the host root and shares over 9p, one virtio-serial port per channel. */
export function qemuArguments(input: QemuCommandInput): string[] {
  const portNames = Object.keys(guestPorts) as GuestPort[];
  return [
    '-accel', input.accelerator,
    '-cpu', input.accelerator === 'kvm' ? 'host' : 'max',
    '-m', String(input.memoryMiB),
    '-smp', String(input.cpus),
    '-nodefaults',
    '-no-user-config',
    '-display', 'none',
    '-serial', 'stdio',
    '-no-reboot',
    '-kernel', input.kernelImage,
    '-initrd', input.initramfs,
    '-append', labKernelArguments(input.jobDir, input.extraKernelArguments).join(' '),
    '-virtfs', `local,path=/,mount_tag=${hostRootTag},security_model=passthrough,readonly=on,multidevs=remap`,
    ...input.shares.flatMap((share, index) => [
      '-virtfs',
      `local,path=${optionValue(share.hostPath)},mount_tag=${shareTag(index)},security_model=passthrough,multidevs=remap`,
    ]),
    '-device', 'virtio-serial-pci,id=ports',
    ...portNames.flatMap((port) => [
      '-chardev', `socket,id=${port},path=${optionValue(input.portSockets[port])}`,
      '-device', `virtserialport,bus=ports.0,chardev=${port},name=${guestPorts[port]}`,
    ]),
  ];
}
