import { AsyncParallelHook, SyncBailHook, SyncWaterfallHook } from 'tapable';
import type { ViolationEvent } from '../audit/event.js';
import type { PolicyError } from '../errors.js';
import type { PolicyIR } from '../ir.js';
import type { Plan } from '../plan.js';
import type { SourceDocument } from '../source.js';

/** What a dialect returns for a document it recognises. */
export interface DialectResult {
  policy?: PolicyIR;
  errors: PolicyError[];
}

export interface CombineOptions {
  /** The name the combined policy's profile must have, instead of the one its dialect derives from the members. */
  profileName?: string;
}

/** A raw audit line (kernel log, audit.log, journald, ...) and where it came from. */
export interface AuditRecord {
  line: string;
  source: string;
}

/**
 * The cross-cutting stages of a policy's life, declared in one place (webpack's Compiler.hooks model). The
 * per-enforcer stages are not hooks: each enforcer has one typed backend (EnforcerBackend, in backend.ts).
 *
 *   parse ──▶ (combine) ──▶ resolveMode ──▶ backend.compile ──▶ backend.verify ──▶ backend.load / unload / confine
 *                   kernel/proxy logs ──▶ engine.auditRecords (declared by plugins) ──▶ attribute ──▶ audit (sinks)
 *                               enforcer channels ──▶ backend.auditSource ────────┘
 *
 * Sync hooks are pure (no I/O); async hooks touch the system.
 */
export function createHooks() {
  return Object.freeze({
    /** A dialect recognises the document (by apiVersion/kind) and returns the policy or its errors; first answer wins. */
    parse: new SyncBailHook<[SourceDocument], DialectResult | undefined>(['document']),
    /**
     * Several policies of one dialect that apply to one workload, as one policy. A dialect that merges its policies
     * answers (KubeArmor unions their rules), its policy's source composed from the members' (`composeSources`), and
     * errors without a policy already located (`locateErrors`); first answer wins; none: the policies cannot apply
     * together (vArmor applies one per workload). With `options.profileName`, the merged profile has that name (a
     * cluster keeps a set's name while its members come and go), one policy included.
     */
    combine: new SyncBailHook<[readonly PolicyIR[], CombineOptions], DialectResult | undefined>(['policies', 'options']),
    /**
     * Adjusts the plan computed from the mode matrix, for every enforcer at once: add warnings, or change what the
     * enforcers build (a site plugin that turns auditViolations on everywhere). Compile sees the plan the last tap returns.
     */
    resolveMode: new SyncWaterfallHook<[Plan]>(['plan']),
    /**
     * An event of a policy's profile: after the engine has named the policy (`engine.attribute`), its dialect adds what
     * it knows (`event.dialectEvent`: KubeArmor's matched rule, severity, tags, message, action). Pure; each tap returns
     * the event, changed or not.
     */
    attribute: new SyncWaterfallHook<[ViolationEvent, PolicyIR]>(['event', 'policy']),
    /** Sinks receive every event. */
    audit: new AsyncParallelHook<[ViolationEvent]>(['event']),
  });
}

export type EngineHooks = ReturnType<typeof createHooks>;
