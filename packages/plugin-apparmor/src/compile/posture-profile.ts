import { type AppArmorPlan, type ContainerPosture, POSTURE_CLASSES, POSTURE_PROTECTIONS, type PostureClass, type PostureProtection } from '@armorkit/core';
import { PROFILE_FLAGS } from './base-profiles.js';
import { type LineOrigin, ProfileText } from './profile-text.js';

const INDENT = '  ';

const ALLOW_ALL: Record<PostureClass, string> = { file: 'file,', network: 'network,', capability: 'capability,' };

// KubeArmor's protections (its BaseTemplate's POST block). Its /proc line, @{PROC}/{*,**^[0-9*],sys/kernel/shm*} wkx,
// is spelt as containerd spells it: a class never starts a pid here.
const PROTECTIONS: Record<PostureProtection, string[]> = {
  proc: [
    'deny "@{PROC}/*" wkx,',
    'deny "@{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9]*}/**" wkx,',
    'deny "@{PROC}/sys/[^k]**" wkx,',
    'deny "@{PROC}/sys/kernel/{?,??,[^s][^h][^m]**}" wkx,',
    'deny "@{PROC}/sysrq-trigger" rwklx,',
    'deny "@{PROC}/mem" rwklx,',
    'deny "@{PROC}/kmem" rwklx,',
    'deny "@{PROC}/kcore" rwklx,',
  ],
  sys: [
    'deny /sys/[^f]*/** wklx,',
    'deny /sys/f[^s]*/** wklx,',
    'deny /sys/fs/[^c]*/** wklx,',
    'deny /sys/fs/c[^g]*/** wklx,',
    'deny /sys/fs/cg[^r]*/** wklx,',
    'deny /sys/firmware/efi/efivars/** rwklx,',
    'deny /sys/kernel/security/** rwklx,',
  ],
  mount: ['deny mount,'],
};

const origin = (source: string): LineOrigin => ({ pointer: '', source: `posture: ${source}` });

/**
 * A container posture (core's ContainerPosture) as a profile: the base abstraction; what a posture does not mediate
 * (signals and tracing among the profile's own processes, signals from unconfined processes, unix sockets,
 * unmounting); the allow-all line of each class it allows wholesale; the shared libraries, readable and mappable
 * when `file` is an allow list; its protections. The raw rules and child profiles are added as a custom profile's.
 */
export function postureProfile(plan: AppArmorPlan, posture: ContainerPosture): ProfileText {
  const name = plan.profileName;
  const text = new ProfileText().addAll(['abi <abi/3.0>,', '#include <tunables/global>', '']).add(`profile ${name} ${PROFILE_FLAGS} {`);
  text.addAll(
    [
      'include <abstractions/base>',
      'umount,',
      `signal (receive,send) peer=${name},`,
      'signal (receive) peer=unconfined,',
      `ptrace (read,readby,trace,tracedby) peer=${name},`,
      'unix,',
    ].map((line) => INDENT + line),
    origin('not mediated'),
  );
  // In the order of the classes, whatever order the posture lists them in.
  for (const cls of POSTURE_CLASSES) {
    if (!posture.allowAll.includes(cls)) continue;
    if (posture.auditAll?.includes(cls)) text.add(`${INDENT}audit ${ALLOW_ALL[cls]}`, origin(`${cls} allowed wholesale, every operation logged`));
    else text.add(INDENT + ALLOW_ALL[cls], origin(`${cls} allowed wholesale`));
  }
  text.add(`${INDENT}"/lib/x86_64-linux-gnu/{*,**}" rm,`, origin('shared libraries'));
  for (const protection of POSTURE_PROTECTIONS) {
    if (posture.protections.includes(protection)) text.addAll(PROTECTIONS[protection].map((line) => INDENT + line), origin(`${protection} protection`));
  }
  return text.add('}');
}
