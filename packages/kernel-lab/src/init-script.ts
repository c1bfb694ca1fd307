import { guestPorts, hostRootTag, jobArgument, jobFiles } from './guest-protocol.js';

/** 9p message size: the virtio transport's maximum in 6.x kernels is about 500 KiB; larger reads mean fewer round trips. */
const ninepMessageSize = 262144;

/**
 * The initramfs `/init`, run by busybox as PID 1. It loads the lab's modules, builds a writable root that shows every
 * host path (9p read-only lower + tmpfs upper, so /tmp stays the host's /tmp), mounts the kernel filesystems the
 * enforcers need, runs the job with its output on virtio-serial ports, reports the exit code, and powers off.
 */
export function initScript(moduleNames: readonly string[]): string {
  const ninep = `trans=virtio,version=9p2000.L,msize=${ninepMessageSize}`;
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

status_port=/dev/console
report() { echo "$*" > "$status_port"; }
die() {
  echo "armorkit-lab: $*" > /dev/console
  report "error $*"
  poweroff -f
  sleep 60
}

for module in ${moduleNames.join(' ')}; do
  insmod "/lib/modules/$module.ko" || die "cannot load kernel module $module"
done

job=
for argument in $(cat /proc/cmdline); do
  case "$argument" in ${jobArgument}=*) job="\${argument#${jobArgument}=}" ;; esac
done
[ -n "$job" ] || die "no ${jobArgument}= on the kernel command line"

# virtio-console announces ports asynchronously after the module loads: wait for each by name.
port_device() {
  tries=0
  while :; do
    for port in /sys/class/virtio-ports/*; do
      if [ "$(cat "$port/name" 2>/dev/null)" = "$1" ] && [ -c "/dev/\${port##*/}" ]; then
        echo "/dev/\${port##*/}"
        return 0
      fi
    done
    tries=$((tries + 1))
    [ "$tries" -gt 500 ] && return 1
    usleep 10000
  done
}
status_port=$(port_device ${guestPorts.status}) || { status_port=/dev/console; die "virtio port ${guestPorts.status} did not appear"; }
stdout_port=$(port_device ${guestPorts.stdout}) || die "virtio port ${guestPorts.stdout} did not appear"
stderr_port=$(port_device ${guestPorts.stderr}) || die "virtio port ${guestPorts.stderr} did not appear"
kmsg_port=$(port_device ${guestPorts.kernelLog}) || die "virtio port ${guestPorts.kernelLog} did not appear"

cat /dev/kmsg > "$kmsg_port" &
kmsg_forwarder=$!

# Audit lines (AppArmor DENIED, seccomp) reach the kernel log through printk_ratelimit(): never drop them here.
echo 0 > /proc/sys/kernel/printk_ratelimit
echo 1000000 > /proc/sys/kernel/printk_ratelimit_burst

mkdir -p /host /rw /newroot
mount -t 9p -o ro,${ninep},cache=loose ${hostRootTag} /host || die "cannot mount the host root over 9p"
mount -t tmpfs -o mode=0755 upper /rw || die "cannot mount the tmpfs for the writable layer"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || die "cannot mount the overlay root"

root=/newroot
mount -t proc proc $root/proc || die "cannot mount proc"
mount -t sysfs sysfs $root/sys || die "cannot mount sysfs"
mount -t devtmpfs devtmpfs $root/dev || die "cannot mount devtmpfs"
mkdir -p $root/dev/pts $root/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $root/dev/pts || die "cannot mount devpts"
mount -t tmpfs -o mode=1777 shm $root/dev/shm || die "cannot mount /dev/shm"
mount -t securityfs securityfs $root/sys/kernel/security || die "cannot mount securityfs"
mount -t bpf -o mode=0700 bpf $root/sys/fs/bpf || die "cannot mount bpffs"
mount -t cgroup2 cgroup2 $root/sys/fs/cgroup || die "cannot mount cgroup2"
mount -t tracefs tracefs $root/sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs $root/sys/kernel/debug 2>/dev/null

if [ -f "/host$job/${jobFiles.shares}" ]; then
  while read -r tag path; do
    [ -n "$tag" ] || continue
    mkdir -p "$root$path" || die "cannot create mount point $path"
    mount -t 9p -o ${ninep},cache=none "$tag" "$root$path" || die "cannot mount share $tag at $path"
  done < "/host$job/${jobFiles.shares}"
fi

ip link set lo up || die "cannot bring up loopback"
hostname armorkit-lab

# Like switch_root, move the overlay onto / and chroot into it: AppArmor resolves paths from the mount namespace's
# root, so a plain chroot into /newroot would make every path /newroot/... and no profile would match. PID 1 keeps
# its own root (the initramfs) for what follows the command.
cd $root
mount --move . / || die "cannot move the overlay root to /"
report "start $(cut -d' ' -f1 /proc/uptime)"
chroot . /bin/sh "$job/${jobFiles.script}" < /dev/null > "$stdout_port" 2> "$stderr_port"
code=$?

# kauditd prints audit records asynchronously: give the last ones time to reach the forwarder.
usleep 300000
echo "armorkit-lab: command exited with $code" > /dev/kmsg
usleep 100000
kill $kmsg_forwarder
report "exit $code"
poweroff -f
sleep 60
`;
}
