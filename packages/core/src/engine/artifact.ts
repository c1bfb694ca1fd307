import type { Enforcer } from '../enforcer.js';
import type { PolicyError } from '../errors.js';
import type { ProfileMode } from '../plan.js';

/** A file an enforcer produces: written by `compile --out` as `<profileName>.<suffix>`. */
export interface ArtifactFile {
  /** `apparmor`, `seccomp.json`, `bpf.json`, ... */
  suffix: string;
  content: string;
}

/** What compile produces for one enforcer: files to write and the enforcer's own structured form. */
export interface Artifact<Data = unknown> {
  enforcer: Enforcer;
  profileName: string;
  profileMode: ProfileMode;
  files: ArtifactFile[];
  data: Data;
  warnings: PolicyError[];
}

export interface CompileResult<Data = unknown> {
  artifact?: Artifact<Data>;
  errors: PolicyError[];
}

/** Where a profile is loaded: this host (optionally one mount namespace), or a kubelet directory. */
export interface LoadTarget {
  kind: 'host';
  /** Directory profiles are written to before loading (AppArmor: /etc/apparmor.d). */
  directory?: string;
  /** BPF: the mount namespace id the profile applies to. */
  mountNamespace?: number;
}

export interface LoadResult {
  enforcer: Enforcer;
  profileName: string;
  /** What was done, for people (`loaded varmor-demo-demo-1 (enforce) with apparmor_parser -r`). */
  summary: string;
}
