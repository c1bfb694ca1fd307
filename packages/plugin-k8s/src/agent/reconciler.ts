import { isIPv4, isIPv6 } from 'node:net';
import { type Artifact, type Engine, type Enforcer, failureMessage, type LoadTarget } from '@armorkit/core';
import type { WatchedProfile, UnreadableProfile } from './armor-profiles.js';
import { NODE_ENFORCERS } from './armor-profiles.js';
import { bpfTargets, type ContainerProcess, type LocatedContainer, locateContainers } from './bpf-plan.js';
import type { NodePod } from './node-pods.js';
import type { ProfileOutcome } from './node-report.js';

// Profiles are armorkit's (and vArmor's) on a node when their names start so; anything else loaded is left alone.
export const PROFILE_PREFIX = 'varmor-';

export interface ReconcilerOptions {
  engine: Engine;
  /** Where the kubelet reads `localhost/<profile>` seccomp profiles. */
  seccompDirectory: string;
  /** The node's processes (`/proc` with hostPID), to find the containers' mount namespaces. */
  scan: () => Promise<ContainerProcess[]>;
  /** The host's mount namespace: never a container's, never confined. */
  hostNamespace?: number;
  log: (line: string) => void;
}

interface HostLoad {
  digest: string;
  problem?: string;
}

interface BpfLoad {
  profileName: string;
  /** digest and pod addresses: a change of either applies the profile again. */
  version: string;
}

/**
 * Makes the node hold what the ArmorProfiles say, through the engine's backends: AppArmor profiles loaded, seccomp
 * files written for the kubelet, BPF profiles applied to the mount namespaces of the containers whose pods ask for
 * them; and removes what no ArmorProfile holds any more. Each call does only what changed since the last one.
 * Nothing is unloaded until `reconcile` is called with complete lists, so an API server that cannot be reached
 * leaves everything loaded as it is.
 */
export class Reconciler {
  /** Why an enforcer cannot load on this node (from `loaded` at start), by enforcer. */
  readonly unavailable: Partial<Record<Enforcer, string>> = {};
  private readonly host: Record<'AppArmor' | 'Seccomp', Map<string, HostLoad>> = { AppArmor: new Map(), Seccomp: new Map() };
  private readonly bpfArtifacts = new Map<string, { digest: string; artifact?: Artifact<'BPF'>; problem?: string }>();
  private readonly bpfApplied = new Map<number, BpfLoad>();
  /** The containers located at the last reconcile (for violations.log). */
  containers: LocatedContainer[] = [];

  constructor(private readonly options: ReconcilerOptions) {}

  private target(enforcer: 'AppArmor' | 'Seccomp'): LoadTarget {
    return enforcer === 'Seccomp' ? { kind: 'host', directory: this.options.seccompDirectory } : { kind: 'host' };
  }

  /** The enforcers this node can apply (and why not the others); what each holds now, so a restart reconciles it. */
  async start(): Promise<void> {
    for (const enforcer of NODE_ENFORCERS) {
      if (!this.options.engine.enforcers.includes(enforcer)) {
        this.unavailable[enforcer] = `no ${enforcer} plugin in the agent's engine`;
        continue;
      }
      const loaded = await this.options.engine.loaded(enforcer, enforcer === 'BPF' ? { kind: 'host' } : this.target(enforcer));
      if (!loaded.ok) {
        this.unavailable[enforcer] = failureMessage(loaded);
        this.options.log(`${enforcer} is unavailable on this node: ${this.unavailable[enforcer]}`);
        continue;
      }
      for (const held of loaded.value) {
        if (!held.profileName.startsWith(PROFILE_PREFIX)) continue;
        // An unknown digest: the first reconcile loads it again (same text: the kernel replaces it in place).
        if (enforcer === 'BPF' && held.mountNamespace !== undefined) this.bpfApplied.set(held.mountNamespace, { profileName: held.profileName, version: '' });
        else if (enforcer !== 'BPF') this.host[enforcer].set(held.profileName, { digest: '' });
      }
    }
  }

  /** The enforcers available here, in vArmor's order. */
  get enforcers(): Enforcer[] {
    return [...NODE_ENFORCERS.filter((enforcer) => this.unavailable[enforcer] === undefined), ...(this.options.engine.enforcers.includes('NetworkProxy') ? (['NetworkProxy'] as const) : [])];
  }

  /** One pass: the profiles and this node's pods as the API server has them now → what each profile came to here. */
  async reconcile(profiles: readonly WatchedProfile[], unreadable: readonly UnreadableProfile[], pods: readonly NodePod[]): Promise<ProfileOutcome[]> {
    const problems = new Map<WatchedProfile, string[]>(profiles.map((profile) => [profile, []]));
    const byName = new Map<string, WatchedProfile>();
    for (const profile of profiles) {
      const taken = byName.get(profile.profile.name);
      if (taken) problems.get(profile)?.push(`the profile name ${profile.profile.name} is already ${taken.namespace}/${taken.name}'s`);
      else byName.set(profile.profile.name, profile);
    }
    for (const enforcer of ['AppArmor', 'Seccomp'] as const) await this.reconcileHost(enforcer, byName, problems);
    await this.reconcileBpf(byName, pods, problems);
    return [
      ...profiles.map((profile) => ({ namespace: profile.namespace, name: profile.name, digest: profile.digest, problems: problems.get(profile) ?? [] })),
      ...unreadable.map(({ namespace, name, digest, problem }) => ({ namespace, name, digest, problems: [problem] })),
    ];
  }

  private async reconcileHost(enforcer: 'AppArmor' | 'Seccomp', byName: ReadonlyMap<string, WatchedProfile>, problems: Map<WatchedProfile, string[]>): Promise<void> {
    const held = this.host[enforcer];
    const unavailable = this.unavailable[enforcer];
    for (const [profileName, profile] of byName) {
      if (!profile.enforcers.includes(enforcer)) continue;
      if (unavailable !== undefined) {
        problems.get(profile)?.push(`${enforcer}: ${unavailable}`);
        continue;
      }
      const before = held.get(profileName);
      if (before?.digest !== profile.digest) held.set(profileName, await this.loadHost(enforcer, profile));
      const problem = held.get(profileName)?.problem;
      if (problem !== undefined) problems.get(profile)?.push(`${enforcer}: ${problem}`);
    }
    if (unavailable !== undefined) return;
    for (const profileName of [...held.keys()]) {
      if (byName.get(profileName)?.enforcers.includes(enforcer)) continue;
      const removed = await this.options.engine.unload(enforcer, profileName, this.target(enforcer));
      if (removed.ok) {
        held.delete(profileName);
        this.options.log(removed.value.summary);
      } else this.options.log(`${enforcer} ${profileName} could not be removed (tried again at the next change): ${failureMessage(removed)}`);
    }
  }

  private async loadHost(enforcer: 'AppArmor' | 'Seccomp', profile: WatchedProfile): Promise<HostLoad> {
    const artifact = this.options.engine.artifactFromProfile(enforcer, profile.profile);
    if (!artifact.ok) return { digest: profile.digest, problem: failureMessage(artifact) };
    const loaded = await this.options.engine.load(artifact.value, this.target(enforcer));
    if (!loaded.ok) return { digest: profile.digest, problem: failureMessage(loaded) };
    this.options.log(loaded.value.summary);
    return { digest: profile.digest };
  }

  private bpfArtifact(profile: WatchedProfile): { artifact?: Artifact<'BPF'>; problem?: string } {
    const cached = this.bpfArtifacts.get(profile.profile.name);
    if (cached?.digest === profile.digest) return cached;
    const read = this.options.engine.artifactFromProfile('BPF', profile.profile);
    const entry = read.ok ? { digest: profile.digest, artifact: read.value } : { digest: profile.digest, problem: failureMessage(read) };
    this.bpfArtifacts.set(profile.profile.name, entry);
    return entry;
  }

  private async reconcileBpf(byName: ReadonlyMap<string, WatchedProfile>, pods: readonly NodePod[], problems: Map<WatchedProfile, string[]>): Promise<void> {
    const withBpf = [...byName.values()].filter((profile) => profile.enforcers.includes('BPF'));
    const unavailable = this.unavailable.BPF;
    if (unavailable !== undefined) {
      for (const profile of withBpf) problems.get(profile)?.push(`BPF: ${unavailable}`);
      return;
    }
    const ready = new Set<string>();
    for (const profile of withBpf) {
      const { problem } = this.bpfArtifact(profile);
      if (problem !== undefined) problems.get(profile)?.push(`BPF: ${problem}`);
      else ready.add(profile.profile.name);
    }
    for (const name of [...this.bpfArtifacts.keys()]) if (!byName.has(name)) this.bpfArtifacts.delete(name);
    // The node's processes are read only while some profile (or some container still confined) needs them.
    const processes = ready.size > 0 || this.bpfApplied.size > 0 ? await this.options.scan() : [];
    this.containers = locateContainers(pods, processes, this.options.hostNamespace);
    const targets = bpfTargets(this.containers, pods, ready);
    const wanted = new Set<number>();
    for (const target of targets) {
      wanted.add(target.mountNamespace);
      const profile = byName.get(target.profileName);
      const artifact = profile ? this.bpfArtifact(profile).artifact : undefined;
      if (!profile || !artifact) continue;
      const podAddresses = podAddressesOf(target.podIPs);
      const version = `${profile.digest}/${podAddresses.join(',')}`;
      const before = this.bpfApplied.get(target.mountNamespace);
      if (before?.profileName === target.profileName && before.version === version) continue;
      const applied = await this.options.engine.load(artifact, { kind: 'host', mountNamespace: target.mountNamespace, ...(podAddresses.length > 0 ? { podAddresses } : {}) });
      if (applied.ok) {
        this.bpfApplied.set(target.mountNamespace, { profileName: target.profileName, version });
        this.options.log(`${applied.value.summary} (pod ${target.podNamespace}/${target.podName}, container ${target.containerName})`);
      } else {
        problems.get(profile)?.push(`BPF: pod ${target.podNamespace}/${target.podName} container ${target.containerName}: ${failureMessage(applied)}`);
      }
    }
    for (const [mountNamespace, held] of [...this.bpfApplied]) {
      if (wanted.has(mountNamespace)) continue;
      const removed = await this.options.engine.unload('BPF', held.profileName, { kind: 'host', mountNamespace });
      if (removed.ok) {
        this.bpfApplied.delete(mountNamespace);
        this.options.log(removed.value.summary);
      } else this.options.log(`BPF ${held.profileName} could not be removed from mount namespace ${mountNamespace}: ${failureMessage(removed)}`);
    }
  }

  /** Whether containers matter now: some BPF profile is held or applied (else /proc is not read at all). */
  watchesContainers(): boolean {
    return this.bpfArtifacts.size > 0 || this.bpfApplied.size > 0;
  }

  /** What is applied now: profile names by enforcer, BPF by mount namespace (for tests and the readiness body). */
  snapshot(): { AppArmor: string[]; Seccomp: string[]; BPF: { mountNamespace: number; profileName: string }[] } {
    return {
      AppArmor: [...this.host.AppArmor.keys()].sort(),
      Seccomp: [...this.host.Seccomp.keys()].sort(),
      BPF: [...this.bpfApplied].map(([mountNamespace, { profileName }]) => ({ mountNamespace, profileName })).sort((a, b) => a.mountNamespace - b.mountNamespace),
    };
  }
}

/** At most one IPv4 and one IPv6 address of the pod, as the BPF maps hold them. */
function podAddressesOf(ips: readonly string[]): string[] {
  const v4 = ips.find((ip) => isIPv4(ip));
  const v6 = ips.find((ip) => isIPv6(ip));
  return [...(v4 ? [v4] : []), ...(v6 ? [v6] : [])];
}
