/** Where a statement or a problem is inside the raw text: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** `audit` and `deny` (an absent `deny` is an allow rule; `allow` is never printed). */
export interface Qualifiers {
  audit: boolean;
  deny: boolean;
}

/** `PATH PERMISSIONS` (or `file,` for every file when `path` is undefined). Exec only as `ix`, or `x` when denied. */
export interface FileRule extends Position, Qualifiers {
  kind: 'file';
  owner: boolean;
  /** Only files the caller does not own (`other`); never with owner. */
  other?: true;
  path?: string;
  /** Letters in the canonical order `rwamkl`, then `ix` or `x`. */
  permissions?: string;
}

export interface LinkRule extends Position, Qualifiers {
  kind: 'link';
  owner: boolean;
  subset: boolean;
  link: string;
  target: string;
}

export interface CapabilityRule extends Position, Qualifiers {
  kind: 'capability';
  /** Sorted; empty means every capability. */
  names: string[];
}

export interface NetworkRule extends Position, Qualifiers {
  kind: 'network';
  domain?: string;
  type?: string;
  protocol?: string;
}

/** `fstype=(…)` / `options in (…)`: `=` matches exactly the list, `in` any of it. */
export interface MountCondition {
  operator: '=' | 'in';
  /** Sorted, without repeats. */
  values: string[];
}

export interface MountRule extends Position, Qualifiers {
  kind: 'mount';
  operation: 'mount' | 'remount' | 'umount';
  fstype?: MountCondition;
  options?: MountCondition;
  /** `mount` only: the device or file system source. */
  source?: string;
  mountpoint?: string;
}

export interface SignalRule extends Position, Qualifiers {
  kind: 'signal';
  /** Sorted; empty means every permission. */
  permissions: string[];
  signals: string[];
  peer?: string;
}

export interface PtraceRule extends Position, Qualifiers {
  kind: 'ptrace';
  permissions: string[];
  peer?: string;
}

export interface UnixRule extends Position, Qualifiers {
  kind: 'unix';
  permissions: string[];
  type?: string;
  address?: string;
  peer?: { label?: string; address?: string };
}

export interface DbusRule extends Position, Qualifiers {
  kind: 'dbus';
  permissions: string[];
  bus?: string;
  /** `bind` rules: the bus name bound. */
  name?: string;
  path?: string;
  interface?: string;
  member?: string;
  peer?: { name?: string; label?: string };
}

/** `deny change_profile [EXEC] [-> PROFILE]`: only a denial; an allowed change_profile would leave the profile. */
export interface DeniedChangeProfile extends Position {
  kind: 'change_profile';
  audit: boolean;
  exec?: string;
  target?: string;
}

/** `deny pivot_root [oldroot=PATH] [NEWROOT] [-> PROFILE]`: only a denial (an allowed one may name a profile to enter). */
export interface DeniedPivotRoot extends Position {
  kind: 'pivot_root';
  audit: boolean;
  oldRoot?: string;
  newRoot?: string;
  target?: string;
}

/** `include <abstractions/NAME>` for a NAME of the allow-list (abstractions.ts). */
export interface AbstractionInclude extends Position {
  kind: 'include';
  name: string;
}

export type RawStatement =
  | FileRule
  | LinkRule
  | CapabilityRule
  | NetworkRule
  | MountRule
  | SignalRule
  | PtraceRule
  | UnixRule
  | DbusRule
  | DeniedChangeProfile
  | DeniedPivotRoot
  | AbstractionInclude;

/** What the grammar does not accept, at its place in the raw text. */
export interface GrammarProblem extends Position {
  message: string;
}
