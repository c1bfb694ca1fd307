import type { ArmorProfileModel, ModelMount, ModelPtrace, ModelSignal } from '@armorkit/core/schema';
import { HEADER, profileOpening } from './base-profiles.js';
import { ProfileText } from './profile-text.js';

/** The AppArmor part of a behaviour model (vArmor's ArmorProfileModel `data.dynamicResult.appArmor`). */
export interface AppArmorBehaviorModel {
  profiles: string[];
  executions?: string[];
  files?: { path: string; owner?: boolean; permissions: string[] }[];
  capabilities?: string[];
  networks?: { domain: string; type: string; protocol: string }[];
  ptraces?: ModelPtrace[];
  signals?: ModelSignal[];
  mounts?: ModelMount[];
}

/** The AppArmor behaviour an ArmorProfileModel recorded (`data.dynamicResult.appArmor`), if any. */
export function behaviorModelOf(model: ArmorProfileModel | undefined): AppArmorBehaviorModel | undefined {
  const recorded = model?.data?.dynamicResult?.appArmor;
  if (!recorded) return undefined;
  return {
    profiles: recorded.profiles ?? [],
    ...(recorded.executions ? { executions: recorded.executions } : {}),
    ...(recorded.files ? { files: recorded.files } : {}),
    ...(recorded.capabilities ? { capabilities: recorded.capabilities } : {}),
    networks: recorded.networks?.sockets ?? [],
    ...(recorded.ptraces ? { ptraces: recorded.ptraces } : {}),
    ...(recorded.signals ? { signals: recorded.signals } : {}),
    ...(recorded.mounts ? { mounts: recorded.mounts } : {}),
  };
}

export type BehaviorModelResult = { text: ProfileText; error?: undefined } | { text?: undefined; error: string };

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

// What the modeller recorded comes from the container: a process there chooses its file names. A recorded path is
// written as one quoted AppArmor path, so it must not carry what could end the quote or the line; capability and file
// permission letters must be what AppArmor knows. Anything else makes the model unusable, not the profile wrong.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_PATH = /["\\\u0000-\u001f\u007f]/;
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CAPABILITY = /^[a-z_]+$/;
const FILE_PERMISSIONS = /^[rwamlkix]+$/;
// Socket families and types, signal names, mount types and flags as the kernel logs them (af_names, sig_names, ...).
const WORD = /^[a-z0-9_+]+$/;
const PTRACE_PERMISSIONS = new Set(['trace', 'read', 'tracedby', 'readby']);
const SIGNAL_PERMISSIONS = new Set(['send', 'receive']);
const PEER = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

function quotedPath(path: string): string | undefined {
  if (!path.startsWith('/') || UNSAFE_IN_PATH.test(path)) return undefined;
  return /[\s,#{}]/.test(path) ? `"${path}"` : path;
}

function checkModel(model: AppArmorBehaviorModel): string | undefined {
  const name = model.profiles[0] ?? '';
  if (!PROFILE_NAME.test(name)) return `the behaviour model's profile name ${JSON.stringify(name)} is not a profile name`;
  for (const path of [...(model.executions ?? []), ...(model.files ?? []).map((file) => file.path)]) {
    if (quotedPath(path) === undefined) return `the behaviour model records the path ${JSON.stringify(path)}, which cannot be written safely as an AppArmor rule`;
  }
  for (const file of model.files ?? []) {
    if (!FILE_PERMISSIONS.test(file.permissions.join(''))) return `the behaviour model records permissions ${JSON.stringify(file.permissions)} for ${file.path}`;
  }
  for (const capability of model.capabilities ?? []) {
    if (!CAPABILITY.test(capability)) return `the behaviour model records the capability ${JSON.stringify(capability)}`;
  }
  for (const socket of model.networks ?? []) {
    if (!WORD.test(socket.domain) || !WORD.test(socket.type)) return `the behaviour model records the socket ${JSON.stringify(socket)}`;
  }
  for (const ptrace of model.ptraces ?? []) {
    if ((ptrace.peer !== undefined && !PEER.test(ptrace.peer)) || ptrace.permissions.some((p) => !PTRACE_PERMISSIONS.has(p))) return `the behaviour model records the ptrace ${JSON.stringify(ptrace)}`;
  }
  for (const signal of model.signals ?? []) {
    if (!PEER.test(signal.peer) || signal.permissions.some((p) => !SIGNAL_PERMISSIONS.has(p)) || signal.signals.some((name) => !WORD.test(name))) {
      return `the behaviour model records the signal ${JSON.stringify(signal)}`;
    }
  }
  for (const mount of model.mounts ?? []) {
    if (quotedPath(mount.path) === undefined || (mount.type !== undefined && !WORD.test(mount.type)) || mount.flags.some((flag) => !WORD.test(flag))) {
      return `the behaviour model records the mount ${JSON.stringify(mount)}`;
    }
  }
  return undefined;
}

/** A profile from what the modeller saw (reference §2.6); names the profile after the model's single profile. */
export function profileFromBehaviorModel(model: AppArmorBehaviorModel, origin = { pointer: '', source: 'behaviour model' }): BehaviorModelResult {
  if (model.profiles.length === 0) return { error: 'the behaviour model holds no AppArmor profile (no behaviour was recorded)' };
  if (model.profiles.length > 1) return { error: `the behaviour model holds ${model.profiles.length} AppArmor profiles; expected one` };
  const problem = checkModel(model);
  if (problem) return { error: problem };
  const name = model.profiles[0] ?? '';
  const text = new ProfileText().addAll(HEADER).add(profileOpening(name)).blank().add('  #include <abstractions/base>');
  const section = (title: string, lines: string[]) => {
    text.blank().add(`  # ---- ${title} ----`);
    text.addAll(lines.map((line) => `  ${line}`), origin);
  };
  section('EXEC', sortedUnique((model.executions ?? []).map((path) => `${quotedPath(path)} ix,`)));
  section(
    'FILE',
    sortedUnique(
      (model.files ?? []).map((file) => {
        const letters = new Set(file.permissions.join('').split(''));
        if (letters.has('w')) letters.delete('a');
        return `${file.owner ? 'owner ' : ''}${quotedPath(file.path)} ${[...letters].sort().join('')},`;
      }),
    ),
  );
  section('CAPABILITY', sortedUnique((model.capabilities ?? []).map((cap) => `capability ${cap},`)));
  // vArmor writes `network,` for any socket; the families and types recorded keep a raw socket out when none was seen.
  section('NETWORK', sortedUnique((model.networks ?? []).map((socket) => `network ${socket.domain} ${socket.type},`)));
  section('PTRACE', [
    `ptrace (trace,read,tracedby,readby) peer=${name},`,
    ...sortedUnique(
      (model.ptraces ?? [])
        .filter((ptrace) => ptrace.permissions.length > 0 && ptrace.peer !== name)
        .map((ptrace) => `ptrace (${[...ptrace.permissions].sort().join(',')})${ptrace.peer === undefined ? '' : ` peer=${ptrace.peer}`},`),
    ),
  ]);
  section('SIGNAL', [
    'signal (receive) peer=unconfined,',
    `signal (send,receive) peer=${name},`,
    ...sortedUnique(
      (model.signals ?? [])
        .filter((signal) => signal.permissions.length > 0 && signal.peer !== name)
        .map((signal) => {
          const set = signal.signals.length > 0 ? ` set=(${[...signal.signals].sort().join(',')})` : '';
          return `signal (${[...signal.permissions].sort().join(',')})${set} peer=${signal.peer},`;
        }),
    ),
  ]);
  // Not in vArmor (its #307): the mounts the workload made, by type and mount point; unmounting stays allowed.
  const mounts = sortedUnique(
      (model.mounts ?? [])
        .filter((mount) => !mount.flags.includes('umount'))
        .map((mount) => {
          const target = quotedPath(mount.path)!;
          if (mount.flags.includes('remount')) return `remount ${target},`;
          return `mount${mount.type === undefined ? '' : ` fstype=${mount.type}`} -> ${target},`;
        }),
  );
  if (mounts.length > 0) section('MOUNT', mounts);
  section('ADDITIONAL', ['umount,']);
  return { text: text.add('}') };
}
