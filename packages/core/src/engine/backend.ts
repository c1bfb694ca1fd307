import type { Enforcer } from '../enforcer.js';
import type { EnforcerPlanFor, Plan } from '../plan.js';
import type { Result } from '../result.js';
import type { RuleRegistry } from '../rules/registry.js';
import type { ViolationEvent } from '../audit/event.js';
import type { BehaviorObservation } from '../model/observation.js';
import type { ArmorProfileModel, Profile } from '../schema/varmor/index.js';
import type { Artifact, ArtifactExplanation, AuditSource, ConfinementStep, LoadedProfile, LoadResult, LoadTarget } from './artifact.js';
import type { PodChange, PodChangeContext } from './pod-changes.js';

/** Everything a compiler reads besides its own part of the plan. */
export interface CompileContext {
  /** The whole plan (the policy, the other enforcers' parts). */
  plan: Plan;
  /** The rules of the engine's rule packs, for fragments the plan's rules point to. */
  rules: RuleRegistry;
  /** JSON pointer of the policy's spec in its document (`/spec`), for errors about fields the plan does not carry. */
  specPointer: string;
  /** The profile's behaviour model, when one was given (the `BehaviorModel` build needs it). */
  behaviorModel?: ArmorProfileModel;
}

/**
 * One enforcer, as its plugin implements it. The engine calls these (and only these) for the enforcer's stages;
 * each returns a Result, and a throw or rejection becomes a `plugin-failed` error naming the plugin and the stage.
 * Only `compile` is required: a stage an enforcer does not have is reported as `enforcer-cannot-do`.
 */
export interface EnforcerBackend<E extends Enforcer = Enforcer> {
  enforcer: E;
  /** The enforcer's part of the plan → its artifact. Pure: no I/O, same input ⇒ byte-identical output. */
  compile(plan: EnforcerPlanFor<E>, context: CompileContext): Result<Artifact<E>>;
  /** What `explain` shows of a compiled artifact beyond the plan (the NetworkProxy decision table). Pure. */
  explain?(artifact: Artifact<E>): Result<ArtifactExplanation>;
  /**
   * The enforcer's artifact back from the profile an ArmorProfile carries (`spec.profile`: its AppArmor text, BPF
   * content or seccomp JSON, which the controller took from compile's files), for the node agent. Pure.
   */
  fromProfile?(profile: Profile): Result<Artifact<E>>;
  /** Checks an artifact with the real tool (apparmor_parser -Q, ...). */
  verify?(artifact: Artifact<E>): Promise<Result<void>>;
  /** Applies an artifact to a target, atomically (the previous profile stays when this fails). */
  load?(artifact: Artifact<E>, target: LoadTarget): Promise<Result<LoadResult>>;
  /**
   * The profiles the enforcer holds on the target now, every one (not only armorkit's), sorted; or why the enforcer
   * cannot load here (AppArmor disabled, BPF-LSM inactive). A node agent reads it after a restart.
   */
  loaded?(target: LoadTarget): Promise<Result<LoadedProfile[]>>;
  /** Removes a profile by name. */
  unload?(profileName: string, target: LoadTarget): Promise<Result<LoadResult>>;
  /** How to run one local command confined by the artifact (`armorkit run`), or why it cannot be done here. */
  confine?(artifact: Artifact<E>): Promise<Result<ConfinementStep>>;
  /**
   * How a pod must change so that the kubelet and the node agent apply the enforcer's profile (annotations, a
   * container's seccompProfile, a sidecar...), for the mutating webhook. Pure, like compile: the pod and the
   * Kubernetes version are in the context; the Kubernetes side turns the changes into JSON patch operations.
   */
  podChanges?(plan: EnforcerPlanFor<E>, context: PodChangeContext): Result<PodChange[]>;
  /** Opens the enforcer's own event channel (the BPF ring buffer), or says why there is none here. */
  auditSource?(): Promise<Result<AuditSource>>;
  /**
   * One of the enforcer's own events (a complain-mode ALLOWED, a seccomp LOG) → what it says the workload did, for
   * the behaviour model (reference §5.3). Pure; the plugin that decodes the events is the one that reads them.
   */
  observe?(event: ViolationEvent): readonly BehaviorObservation[];
  /** Lets go of what the backend opened (kernel handles, file descriptors); called once, by `engine.close()`. */
  close?(): Promise<Result<void>>;
}

/** A backend of any one enforcer, as a plugin lists them. */
export type AnyEnforcerBackend = { [E in Enforcer]: EnforcerBackend<E> }[Enforcer];

/** Types a backend from its `enforcer` (the plan and artifact parameters follow from it); the identity at run time. */
export function defineEnforcer<E extends Enforcer>(backend: EnforcerBackend<E>): EnforcerBackend<E> {
  return backend;
}
