import { enforcerId, type Enforcer } from '../enforcer.js';
import { type PolicyError, policyError } from '../errors.js';
import type { PolicyIR } from '../ir.js';
import { resolveMode } from '../modes/resolve-mode.js';
import { parseYamlStream } from '../parse/yaml-stream.js';
import type { Plan } from '../plan.js';
import type { RulePack } from '../rules/define.js';
import type { SourceDocument } from '../source.js';
import { RuleRegistry } from '../rules/registry.js';
import type { Artifact, AuditSource, CompileResult, AuditSourceUnavailable, Confinement, LoadResult, LoadTarget } from './artifact.js';
import { createHooks, type AuditRecord, type DialectResult } from './hooks.js';
import { locateErrors } from './locate.js';
import type { Plugin } from './plugin.js';
import { attributeFailures, pluginFailureErrors } from './plugin-failure.js';
import type { ViolationEvent } from '../audit/event.js';
import { AuditRecordRegistry } from '../audit/record-registry.js';
import type { ArmorProfileModel } from '../schema/varmor/index.js';

export interface EngineOptions {
  plugins?: readonly Plugin[];
  rulePacks?: readonly RulePack[];
}

export interface ParseOutcome {
  policies: PolicyIR[];
  errors: PolicyError[];
  /** Documents no dialect recognised (a Deployment next to a policy): index and kind. */
  ignored: { index: number; kind: string }[];
}

export interface CompileOutcome {
  artifacts: Artifact[];
  errors: PolicyError[];
  warnings: PolicyError[];
}

/**
 * The engine: hooks, plugins and rule packs. Methods run the pipeline stages; each returns problems as values.
 */
export class Engine {
  readonly hooks = createHooks();
  readonly rules = new RuleRegistry();
  /** The audit records the plugins declared (register yours in `apply`): decodeAudit and AuditLogDecoder read them. */
  readonly auditRecords = new AuditRecordRegistry();
  readonly plugins: readonly Plugin[];

  constructor(options: EngineOptions = {}) {
    const names = new Set<string>();
    for (const plugin of options.plugins ?? []) {
      if (names.has(plugin.name)) throw new TypeError(`plugin "${plugin.name}" is registered twice`);
      names.add(plugin.name);
    }
    this.plugins = Object.freeze([...(options.plugins ?? [])]);
    for (const pack of options.rulePacks ?? []) this.rules.register(pack);
    // Before any plugin taps: a throw in these stages becomes an error naming the plugin, never a crash of the caller.
    attributeFailures(this.hooks.parse, 'parse');
    attributeFailures(this.hooks.resolveMode, 'resolveMode');
    this.hooks.compile.intercept({ factory: (_enforcer, hook) => (attributeFailures(hook, 'compile'), hook) });
    this.hooks.verify.intercept({ factory: (_enforcer, hook) => (attributeFailures(hook, 'verify'), hook) });
    for (const plugin of this.plugins) plugin.apply(this);
  }

  /** Enforcers some plugin compiles for. */
  get enforcers(): Enforcer[] {
    const all: Enforcer[] = ['AppArmor', 'BPF', 'Seccomp', 'NetworkProxy'];
    return all.filter((enforcer) => this.hooks.compile.get(enforcerId(enforcer))?.isUsed());
  }

  /** parse: text (YAML or JSON, several documents) → policies of any installed dialect. */
  parse(text: string, file: string): ParseOutcome {
    const stream = parseYamlStream(text, file);
    const outcome: ParseOutcome = { policies: [], errors: [...stream.errors], ignored: [] };
    for (const document of stream.documents) {
      let result: DialectResult | undefined;
      try {
        result = this.hooks.parse.call(document);
      } catch (error) {
        outcome.errors.push(...locateErrors(pluginFailureErrors(error, ''), document));
        continue;
      }
      if (!result) {
        const data = document.data as { kind?: unknown } | null;
        const kind = typeof data?.kind === 'string' ? data.kind : typeof data;
        outcome.ignored.push({ index: document.index, kind });
        continue;
      }
      outcome.errors.push(...locateErrors(result.errors, document));
      if (result.policy) outcome.policies.push(result.policy);
    }
    return outcome;
  }

  /**
   * resolveMode: policy → plan (mode matrix, rule look-up), then plugins may adjust it. `models` are behaviour models
   * (ArmorProfileModel by profile name) for DefenseInDepth policies built on one.
   */
  resolve(policy: PolicyIR, models?: ReadonlyMap<string, ArmorProfileModel>): { plan?: Plan; errors: PolicyError[] } {
    const result = resolveMode(policy, this.rules, models);
    const errors = locateErrors(result.errors, policy.source);
    if (!result.plan) return { errors };
    let plan: Plan;
    try {
      plan = this.hooks.resolveMode.call(result.plan);
    } catch (error) {
      return { errors: [...errors, ...locateErrors(pluginFailureErrors(error, policy.specPointer), policy.source)] };
    }
    plan.warnings = locateErrors(plan.warnings, policy.source);
    return { plan, errors };
  }

  /** compile: each enforcer of the plan (or the ones asked for) through its plugin. */
  compile(plan: Plan, only?: readonly Enforcer[]): CompileOutcome {
    const outcome: CompileOutcome = { artifacts: [], errors: [], warnings: [...plan.warnings] };
    for (const enforcer of only ?? (Object.keys(plan.enforcers) as Enforcer[])) {
      const enforcerPlan = plan.enforcers[enforcer];
      const enforcerPointer = `${plan.policy.specPointer}/policy/enforcer`;
      const report = (errors: PolicyError[]) => outcome.errors.push(...locateErrors(errors, plan.policy.source));
      if (!enforcerPlan) {
        report([policyError('enforcer-not-in-policy', enforcerPointer, `the policy does not use ${enforcer}`)]);
        continue;
      }
      const hook = this.hooks.compile.get(enforcerId(enforcer));
      let result: CompileResult | undefined;
      try {
        result = hook?.isUsed() ? hook.call(enforcerPlan, { rules: this.rules, plan }) : undefined;
      } catch (error) {
        report(pluginFailureErrors(error, enforcerPointer));
        continue;
      }
      if (!result) {
        report([
          policyError(
            'enforcer-not-installed',
            enforcerPointer,
            `no installed plugin compiles ${enforcer} profiles (install @armorkit/plugin-${enforcerId(enforcer)} and add it to the engine)`,
          ),
        ]);
        continue;
      }
      report(result.errors);
      if (result.artifact) {
        outcome.artifacts.push(result.artifact);
        outcome.warnings.push(...locateErrors(result.artifact.warnings, plan.policy.source));
      }
    }
    return outcome;
  }

  /**
   * verify: checks an artifact with the real tool, when the plugin has one. With the policy's source, the errors get
   * its file and line:column, as compile's do.
   */
  async verify(artifact: Artifact, source?: SourceDocument): Promise<PolicyError[]> {
    const hook = this.hooks.verify.get(enforcerId(artifact.enforcer));
    let errors: PolicyError[];
    try {
      errors = (hook?.isUsed() ? await hook.promise(artifact) : undefined) ?? [];
    } catch (error) {
      errors = pluginFailureErrors(error, '');
    }
    return source ? locateErrors(errors, source) : errors;
  }

  async load(artifact: Artifact, target: LoadTarget = { kind: 'host' }): Promise<LoadResult> {
    const hook = this.hooks.load.get(enforcerId(artifact.enforcer));
    const result = hook?.isUsed() ? await hook.promise(artifact, target) : undefined;
    if (!result) throw new Error(`no installed plugin loads ${artifact.enforcer} profiles`);
    return result;
  }

  async unload(enforcer: Enforcer, profileName: string, target: LoadTarget = { kind: 'host' }): Promise<LoadResult> {
    const hook = this.hooks.unload.get(enforcerId(enforcer));
    const result = hook?.isUsed() ? await hook.promise(profileName, target) : undefined;
    if (!result) throw new Error(`no installed plugin unloads ${enforcer} profiles`);
    return result;
  }

  /** confine: how the artifact's enforcer would confine a local command, or why it cannot here. */
  async confine(artifact: Artifact): Promise<Confinement> {
    const hook = this.hooks.confine.get(enforcerId(artifact.enforcer));
    const result = hook?.isUsed() ? await hook.promise(artifact) : undefined;
    return result ?? { enforcer: artifact.enforcer, unavailable: `no installed plugin runs commands under ${artifact.enforcer} profiles` };
  }

  /** auditSource: the enforcer's own event channel, or why there is none here. */
  async openAuditSource(enforcer: Enforcer): Promise<AuditSource | AuditSourceUnavailable> {
    const hook = this.hooks.auditSource.get(enforcerId(enforcer));
    const result = hook?.isUsed() ? await hook.promise() : undefined;
    return result ?? { enforcer, unavailable: `no installed plugin reads ${enforcer} events from a channel of their own; ${enforcer} events come from the kernel log` };
  }

  /** decodeAudit: one log line → an event of a record some plugin declared, or undefined. */
  decodeAudit(record: AuditRecord): ViolationEvent | undefined {
    return this.auditRecords.decodeLine(record.line);
  }

  /** audit: hands an event to every sink. */
  async emit(event: ViolationEvent): Promise<void> {
    await this.hooks.audit.promise(event);
  }
}

/** An engine from plugins and rule packs. */
export function createEngine(options: EngineOptions = {}): Engine {
  return new Engine(options);
}
