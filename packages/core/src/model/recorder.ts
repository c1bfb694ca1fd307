import type { ViolationEvent } from '../audit/event.js';
import type { Enforcer } from '../enforcer.js';
import type { DynamicResult } from '../schema/varmor/armor-profile-model.js';
import { DynamicResultBuilder, type ModelSection } from './dynamic-result.js';
import { type GeneralizeOptions, generalizePath } from './generalize-path.js';
import type { BehaviorObservation, ObservationKind } from './observation.js';

/** An enforcer's reading of its own events (its backend's `observe`, through `engine.observe`). */
export type Observe = (event: ViolationEvent) => readonly BehaviorObservation[];

export interface RecorderOptions {
  /** The profile being modelled: events of other profiles are not recorded. */
  profileName: string;
  observe: Observe;
  generalize?: GeneralizeOptions;
  /**
   * Enforcers whose events count even without a profile name: seccomp names the profile only through an AppArmor label
   * (`subj=`), so with seccomp alone a local run accepts the LOG events of unlabelled tasks.
   */
  unattributed?: readonly Enforcer[];
}

const SECTIONS: Readonly<Record<Enforcer, ModelSection | undefined>> = { AppArmor: 'appArmor', BPF: 'bpf', Seccomp: 'seccomp', NetworkProxy: undefined };
// BPF reports names; the generaliser reads AppArmor letters.
const MASK_LETTERS: Readonly<Record<string, string>> = { read: 'r', write: 'w', append: 'a', create: 'w', exec: 'x' };
const CACHE_LIMIT = 100_000;

/**
 * ViolationEvents of a BehaviorModeling (or DefenseInDepth with allowViolations) profile → the model's
 * dynamicResult (reference §5.3). Only what the profile let through is recorded (ALLOWED, and seccomp's LOG as
 * AUDIT|ALLOWED); denials are enforcement, not behaviour. Pure apart from its own state: no I/O, no clock.
 */
export class ModelRecorder {
  private readonly builder = new DynamicResultBuilder();
  private readonly generalized = new Map<string, string>();
  /** Observations recorded, by class. */
  readonly counts: Record<ObservationKind, number> = {
    execution: 0, file: 0, capability: 0, socket: 0, egress: 0, ptrace: 0, signal: 0, mount: 0, syscall: 0, unhandled: 0,
  };
  events = 0;
  skipped = 0;

  constructor(private readonly options: RecorderOptions) {}

  /** Records one event; false when it is not this profile's or not an allowed one. */
  record(event: ViolationEvent): boolean {
    const section = SECTIONS[event.enforcer];
    if (section === undefined || (event.action !== 'ALLOWED' && event.action !== 'AUDIT|ALLOWED') || !this.ours(event)) {
      this.skipped++;
      return false;
    }
    this.events++;
    const set = this.builder.sections[section];
    if (section === 'appArmor') set.profiles.add(this.options.profileName);
    for (const observation of this.options.observe(event)) {
      this.counts[observation.kind]++;
      switch (observation.kind) {
        case 'execution':
          set.executions.add(observation.path);
          break;
        case 'file':
          set.addFile(this.generalize(observation.path, observation.permissions), observation.permissions, observation.owner);
          break;
        case 'capability':
          set.capabilities.add(observation.name);
          break;
        case 'socket':
          set.addSocket(observation.domain, observation.type, observation.protocol);
          break;
        case 'egress':
          set.addEgress(observation.ip, [observation.port]);
          break;
        case 'ptrace':
          set.addPtrace(observation.peer, observation.external, observation.permissions);
          break;
        case 'signal':
          set.addSignal(observation.peer, observation.permissions, observation.signals);
          break;
        case 'mount':
          set.addMount(observation.path, observation.type, observation.flags);
          break;
        case 'syscall':
          set.syscalls.add(observation.name);
          break;
        case 'unhandled':
          set.unhandled.add(observation.what);
          break;
      }
    }
    return true;
  }

  /** What was recorded so far, sorted. */
  dynamicResult(): DynamicResult {
    return this.builder.build();
  }

  private ours(event: ViolationEvent): boolean {
    if (event.profileName === this.options.profileName) return true;
    return event.profileName === '' && (this.options.unattributed ?? []).includes(event.enforcer);
  }

  private generalize(path: string, permissions: readonly string[]): string {
    let mask = '';
    for (const permission of permissions) mask += MASK_LETTERS[permission] ?? permission;
    const id = `${mask}\u0000${path}`;
    let general = this.generalized.get(id);
    if (general === undefined) {
      if (this.generalized.size >= CACHE_LIMIT) this.generalized.clear();
      general = generalizePath(path, mask, this.options.generalize);
      this.generalized.set(id, general);
    }
    return general;
  }
}
