import { AsyncParallelHook, AsyncSeriesBailHook, HookMap, SyncBailHook, SyncWaterfallHook } from 'tapable';
import type { ViolationEvent } from '../audit/event.js';
import type { PolicyError } from '../errors.js';
import type { PolicyIR } from '../ir.js';
import type { EnforcerPlan, Plan } from '../plan.js';
import type { RuleRegistry } from '../rules/registry.js';
import type { SourceDocument } from '../source.js';
import type { Artifact, AuditSource, AuditSourceUnavailable, CompileResult, Confinement, LoadResult, LoadTarget } from './artifact.js';

/** What a dialect returns for a document it recognises. */
export interface DialectResult {
  policy?: PolicyIR;
  errors: PolicyError[];
}

export interface CompileContext {
  rules: RuleRegistry;
  plan: Plan;
}

/** A raw audit line (kernel log, audit.log, journald, ...) and where it came from. */
export interface AuditRecord {
  line: string;
  source: string;
}

/**
 * The whole life of a policy, declared in one place (webpack's Compiler.hooks model):
 *
 *   parse ──▶ resolveMode ──▶ compile[enforcer] ──▶ verify[enforcer] ──▶ load[enforcer] / unload[enforcer] / confine[enforcer]
 *                             kernel/proxy logs ──▶ engine.auditRecords (declared by plugins) ──▶ audit (sinks)
 *                                                  enforcer channels ──▶ auditSource ─────────┘
 *
 * Sync hooks are pure (no I/O); async hooks touch the system.
 */
export function createHooks() {
  return Object.freeze({
    /** A dialect recognises the document (by apiVersion/kind) and returns the policy or its errors; first answer wins. */
    parse: new SyncBailHook<[SourceDocument], DialectResult | undefined>(['document']),
    /** Adjusts the plan computed from the mode matrix (a plugin may add notes or refuse a combination). */
    resolveMode: new SyncWaterfallHook<[Plan]>(['plan']),
    /** Per enforcer id (`apparmor`, `seccomp`, `bpf`, `networkproxy`): the plan for that enforcer → its artifact. Pure. */
    compile: new HookMap(() => new SyncBailHook<[EnforcerPlan, CompileContext], CompileResult | undefined>(['plan', 'context'])),
    /** Per enforcer id: checks an artifact with the real tool (apparmor_parser -Q, ...); returns problems. */
    verify: new HookMap(() => new AsyncSeriesBailHook<[Artifact], PolicyError[] | undefined>(['artifact'])),
    /** Per enforcer id: applies an artifact to a target, atomically. */
    load: new HookMap(() => new AsyncSeriesBailHook<[Artifact, LoadTarget], LoadResult | undefined>(['artifact', 'target'])),
    /** Per enforcer id: removes a profile by name. */
    unload: new HookMap(() => new AsyncSeriesBailHook<[string, LoadTarget], LoadResult | undefined>(['profileName', 'target'])),
    /** Per enforcer id: prepares to run one local command confined by an artifact (`armorkit run`). */
    confine: new HookMap(() => new AsyncSeriesBailHook<[Artifact], Confinement | undefined>(['artifact'])),
    /** Per enforcer id: opens the enforcer's own event channel (the BPF ring buffer), or says why it cannot. */
    auditSource: new HookMap(() => new AsyncSeriesBailHook<[], AuditSource | AuditSourceUnavailable | undefined>([])),
    /** Sinks receive every event. */
    audit: new AsyncParallelHook<[ViolationEvent]>(['event']),
  });
}

export type EngineHooks = ReturnType<typeof createHooks>;
