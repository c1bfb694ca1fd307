import { type PolicyError, type ProfileMode, policyError } from '@armorkit/core';
import {
  type BpfCapabilityRule,
  type BpfExecRule,
  type BpfFileRule,
  type BpfMountRule,
  type BpfNetworkRule,
  type BpfProfile,
  type BpfPtraceRule,
  emptyProfile,
} from './profile.js';

/** The rule content without its origin, as a key: two rules with the same key do the same thing. */
function sameness(rule: object): string {
  const { origin: _origin, ...content } = rule as { origin?: unknown };
  return JSON.stringify(content, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
}

/**
 * Collects a profile's rules in generation order. A rule identical to an earlier one is dropped (two built-in rules
 * often share a path), and so is a rule whose mode is 0: it would neither deny nor audit.
 */
export class ProfileBuilder {
  readonly profile: BpfProfile;
  readonly errors: PolicyError[] = [];
  readonly warnings: PolicyError[] = [];
  private readonly seen = new Map<keyof BpfProfile, Set<string>>();

  constructor(profileName: string, profileMode: ProfileMode) {
    this.profile = emptyProfile(profileName, profileMode);
  }

  private push<K extends 'files' | 'processes' | 'networks' | 'mounts' | 'ptrace' | 'capabilities'>(list: K, rule: BpfProfile[K][number]): void {
    if (rule.mode === 0) return;
    const key = sameness(rule);
    const seen = this.seen.get(list) ?? new Set<string>();
    this.seen.set(list, seen);
    if (seen.has(key)) return;
    seen.add(key);
    (this.profile[list] as BpfProfile[K][number][]).push(rule);
  }

  addFile = (rule: BpfFileRule) => this.push('files', rule);
  addExec = (rule: BpfExecRule) => this.push('processes', rule);
  addNetwork = (rule: BpfNetworkRule) => this.push('networks', rule);
  addMount = (rule: BpfMountRule) => this.push('mounts', rule);
  addPtrace = (rule: BpfPtraceRule) => this.push('ptrace', rule);
  addCapability = (rule: BpfCapabilityRule) => this.push('capabilities', rule);

  error(code: string, pointer: string, message: string, value?: unknown): void {
    this.errors.push(policyError(code, pointer, message, value));
  }

  warning(code: string, pointer: string, message: string): void {
    this.warnings.push(policyError(code, pointer, message));
  }
}
