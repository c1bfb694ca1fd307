import { coreErrors } from '../core-errors.js';
import { ENFORCERS, enforcerId, type Enforcer } from '../enforcer.js';
import { type ErrorCatalog, indexErrorCodes } from '../error-catalog.js';
import type { PolicyError } from '../errors.js';
import type { PolicyIR } from '../ir.js';
import { resolveMode } from '../modes/resolve-mode.js';
import { looksLikeJson, parseJsonStream } from '../parse/json-stream.js';
import { parseYamlStream } from '../parse/yaml-stream.js';
import { type Plan, plannedEnforcers } from '../plan.js';
import { type Result, fail, ok } from '../result.js';
import type { RulePack } from '../rules/define.js';
import type { ParsedStream, SourceDocument } from '../source.js';
import { RuleRegistry } from '../rules/registry.js';
import type { Artifact, ArtifactExplanation, AuditSource, ConfinementStep, LoadedProfile, LoadResult, LoadTarget } from './artifact.js';
import type { AnyEnforcerBackend, CompileContext, EnforcerBackend } from './backend.js';
import { type EnforcerPodChanges, type KubernetesVersion, type PodChange, type PodChangeContext, type PodView, targetedContainers } from './pod-changes.js';
import { createHooks, type AuditRecord, type CombineOptions, type DialectResult } from './hooks.js';
import { locateErrors } from './locate.js';
import type { Plugin, PluginMeta } from './plugin.js';
import { attributeFailures, callBackend, callBackendAsync, PluginFailure, pluginFailureErrors } from './plugin-failure.js';
import type { BehaviorObservation } from '../model/observation.js';
import type { ViolationEvent } from '../audit/event.js';
import { AuditRecordRegistry } from '../audit/record-registry.js';
import type { ArmorProfileModel, Profile } from '../schema/varmor/index.js';

export interface EngineOptions {
  plugins?: readonly Plugin[];
  rulePacks?: readonly RulePack[];
}

export interface ParseOptions {
  /** The value of the text, when the caller has it already: what `JSON.parse(text)` gives, so it is not parsed again. */
  value?: unknown;
}

export interface ParseOutcome {
  policies: PolicyIR[];
  errors: PolicyError[];
  /** Documents no dialect recognised (a Deployment next to a policy): index and kind. */
  ignored: { index: number; kind: string }[];
}

/** An enforcer the engine can compile for, and the plugin that implements it. */
export interface InstalledEnforcer {
  enforcer: Enforcer;
  /** The plugin's name (what its failures are attributed to). */
  plugin: string;
  meta: PluginMeta;
}

interface Registered<E extends Enforcer> {
  backend: EnforcerBackend<E>;
  plugin: Plugin;
}
type BackendTable = { [E in Enforcer]?: Registered<E> };

/**
 * The engine: hooks, plugins, their enforcer backends and rule packs. Methods run the pipeline stages; each returns
 * problems as values, and every plugin call is wrapped so a plugin that throws is named in the error it becomes.
 */
export class Engine {
  readonly hooks = createHooks();
  readonly rules = new RuleRegistry();
  /** The audit records the plugins declared (register yours in `apply`): decodeAudit and AuditLogDecoder read them. */
  readonly auditRecords = new AuditRecordRegistry();
  readonly plugins: readonly Plugin[];
  /** Every error code the engine can report → the package that declares it (core's and each plugin's). */
  readonly errorCodes: ReadonlyMap<string, string>;
  private readonly backends: BackendTable = {};
  private closed = false;

  constructor(options: EngineOptions = {}) {
    const names = new Set<string>();
    for (const plugin of options.plugins ?? []) {
      if (names.has(plugin.name)) throw new TypeError(`plugin "${plugin.name}" is registered twice`);
      names.add(plugin.name);
    }
    this.plugins = Object.freeze([...(options.plugins ?? [])]);
    const catalogs: ErrorCatalog[] = [coreErrors, ...this.plugins.flatMap((plugin) => (plugin.errors ? [plugin.errors] : []))];
    const { owners, duplicates } = indexErrorCodes(catalogs);
    if (duplicates.length > 0) throw new TypeError(duplicates.join('; '));
    this.errorCodes = owners;
    for (const pack of options.rulePacks ?? []) this.rules.register(pack);
    for (const plugin of this.plugins) for (const backend of plugin.backends ?? []) this.register(backend, plugin);
    // Before any plugin taps: a throw in these stages becomes an error naming the plugin, never a crash of the caller.
    attributeFailures(this.hooks.parse, 'parse');
    attributeFailures(this.hooks.combine, 'combine');
    attributeFailures(this.hooks.resolveMode, 'resolveMode');
    attributeFailures(this.hooks.attribute, 'attribute');
    for (const plugin of this.plugins) plugin.apply?.(this);
  }

  private register(backend: AnyEnforcerBackend, plugin: Plugin): void {
    const existing = this.backends[backend.enforcer];
    if (existing) {
      throw new TypeError(`plugins "${existing.plugin.name}" and "${plugin.name}" both implement ${backend.enforcer}; an engine takes one backend per enforcer`);
    }
    // One case per enforcer keeps each backend typed with its own plan and artifact.
    switch (backend.enforcer) {
      case 'AppArmor':
        this.backends.AppArmor = { backend, plugin };
        break;
      case 'BPF':
        this.backends.BPF = { backend, plugin };
        break;
      case 'Seccomp':
        this.backends.Seccomp = { backend, plugin };
        break;
      case 'NetworkProxy':
        this.backends.NetworkProxy = { backend, plugin };
        break;
    }
  }

  private registered<E extends Enforcer>(enforcer: E): Registered<E> | undefined {
    return this.backends[enforcer];
  }

  /** Enforcers some plugin implements, in vArmor's order. */
  get enforcers(): Enforcer[] {
    return ENFORCERS.filter((enforcer) => this.backends[enforcer] !== undefined);
  }

  /** What is installed: each enforcer with the plugin (name, package and version) that implements it. */
  get installed(): InstalledEnforcer[] {
    return this.enforcers.flatMap((enforcer) => {
      const registered = this.registered(enforcer);
      return registered ? [{ enforcer, plugin: registered.plugin.name, meta: registered.plugin.meta }] : [];
    });
  }

  /**
   * parse: text (YAML or JSON, several documents) → policies of any installed dialect. A JSON text is read as JSON
   * (the same result as the YAML reader's, faster); `options.value` is its value when the caller has already parsed it.
   */
  parse(text: string, file: string, options: ParseOptions = {}): ParseOutcome {
    return this.parseDocuments('value' in options || looksLikeJson(text) ? parseJsonStream(text, file, options) : parseYamlStream(text, file));
  }

  /** parse, for a stream already split into documents (`parseYamlStream`, `parseJsonStream`). */
  parseDocuments(stream: ParsedStream): ParseOutcome {
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
   * combine: the policies that apply to one workload as the one policy it is confined with. One policy is itself
   * (unless `options.profileName` renames it); several go to their dialect's `combine` tap (KubeArmor merges its
   * policies' rules), and policies no dialect combines are an error at the second one.
   */
  combine(policies: readonly PolicyIR[], options: CombineOptions = {}): DialectResult {
    const [first, second] = policies;
    if (!first) throw new TypeError('combine: no policies');
    if (!second && (options.profileName === undefined || options.profileName === first.profileName)) return { policy: first, errors: [] };
    let result: DialectResult | undefined;
    try {
      result = this.hooks.combine.call(policies, options);
    } catch (error) {
      return { errors: locateErrors(pluginFailureErrors(error, ''), first.source) };
    }
    if (!result) {
      const names = policies.map((policy) => `${policy.kind} ${policy.clusterScoped ? '' : `${policy.namespace}/`}${policy.name}`);
      const dialects = [...new Set(policies.map((policy) => policy.dialect))];
      const why = dialects.length > 1 ? `policies of different dialects (${dialects.join(', ')}) cannot be merged` : `the ${first.dialect} dialect applies one policy per workload`;
      const message = second ? `${names.join(', ')} all apply here, and ${why}: choose one` : `${names[0]} cannot be given another profile name (${options.profileName}): the ${first.dialect} dialect names its own profiles`;
      return { errors: locateErrors([coreErrors.error('policies-not-combinable', '', message)], (second ?? first).source) };
    }
    return result.policy ? { policy: result.policy, errors: locateErrors(result.errors, result.policy.source) } : { errors: locateErrors(result.errors, first.source) };
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

  /** compile: every enforcer of the plan (or the ones asked for); fails when any fails, with every enforcer's errors. */
  compile(plan: Plan, only?: readonly Enforcer[]): Result<Artifact[]> {
    const artifacts: Artifact[] = [];
    const errors: PolicyError[] = [];
    const warnings: PolicyError[] = [];
    for (const enforcer of only ?? plannedEnforcers(plan)) {
      const result: Result<Artifact> = this.compileEnforcer(plan, enforcer);
      warnings.push(...result.warnings);
      if (result.ok) artifacts.push(result.value);
      else errors.push(...result.errors);
    }
    return errors.length > 0 ? fail(errors, warnings) : ok(artifacts, warnings);
  }

  /** compile for one enforcer: its part of the plan through its backend. Errors and warnings carry file and line. */
  compileEnforcer<E extends Enforcer>(plan: Plan, enforcer: E): Result<Artifact<E>> {
    const source = plan.policy.source;
    const enforcerPointer = `${plan.policy.specPointer}/policy/enforcer`;
    const enforcerPlan = plan.enforcers[enforcer];
    if (!enforcerPlan) return fail(locateErrors([coreErrors.error('enforcer-not-in-policy', enforcerPointer, `the policy does not use ${enforcer}`)], source));
    const registered = this.registered(enforcer);
    if (!registered) {
      const message = `no installed plugin compiles ${enforcer} profiles (install @armorkit/plugin-${enforcerId(enforcer)} and add it to the engine)`;
      return fail(locateErrors([coreErrors.error('enforcer-not-installed', enforcerPointer, message)], source));
    }
    const context: CompileContext = {
      plan,
      rules: this.rules,
      specPointer: plan.policy.specPointer,
      ...(plan.behaviorModel ? { behaviorModel: plan.behaviorModel } : {}),
    };
    const result = callBackend(registered.plugin.name, 'compile', enforcerPointer, () => registered.backend.compile(enforcerPlan, context));
    const warnings = locateErrors(result.warnings, source);
    return result.ok ? ok(result.value, warnings) : fail(locateErrors(result.errors, source), warnings);
  }

  /**
   * podChanges: how `pod` must change for every enforcer of the plan (in the plan's enforcer order); fails when any
   * enforcer fails or has no plugin that says it (a pod changed for some of its enforcers only would be weaker than
   * the policy without saying so). `kubernetesVersion` is the API server's, read by the caller. A container an
   * enforcer adds (a sidecar) is not one the policy targets, so mutating the mutated pod again changes nothing.
   */
  podChanges(plan: Plan, pod: PodView, kubernetesVersion: KubernetesVersion): Result<EnforcerPodChanges[]> {
    const targeted = targetedContainers(plan, pod);
    const first = this.collectPodChanges({ plan, pod, containers: targeted, kubernetesVersion });
    if (!first.ok) return first;
    const sidecars = new Set(first.value.flatMap(({ changes }) => changes.flatMap((change) => (change.kind === 'sidecar' ? [change.value.name] : []))));
    const withoutSidecars = targeted.filter((container) => !sidecars.has(container.name));
    if (withoutSidecars.length === targeted.length) return first;
    return this.collectPodChanges({ plan, pod, containers: withoutSidecars, kubernetesVersion });
  }

  private collectPodChanges(context: PodChangeContext): Result<EnforcerPodChanges[]> {
    const changes: EnforcerPodChanges[] = [];
    const errors: PolicyError[] = [];
    const warnings: PolicyError[] = [];
    for (const enforcer of plannedEnforcers(context.plan)) {
      const result = this.podChangesFor(context.plan, enforcer, context);
      warnings.push(...result.warnings);
      if (result.ok) changes.push({ enforcer, changes: result.value });
      else errors.push(...result.errors);
    }
    return errors.length > 0 ? fail(errors, warnings) : ok(changes, warnings);
  }

  private podChangesFor<E extends Enforcer>(plan: Plan, enforcer: E, context: PodChangeContext): Result<PodChange[]> {
    const enforcerPointer = `${plan.policy.specPointer}/policy/enforcer`;
    const enforcerPlan = plan.enforcers[enforcer];
    const registered = this.registered(enforcer);
    const podChanges = registered?.backend.podChanges;
    if (!enforcerPlan || !registered || !podChanges) {
      const code = registered ? 'enforcer-cannot-do' : 'enforcer-not-installed';
      return fail([coreErrors.error(code, enforcerPointer, `no installed plugin says how a pod must change to use ${enforcer} profiles`)]);
    }
    return callBackend(registered.plugin.name, 'podChanges', enforcerPointer, () => podChanges.call(registered.backend, enforcerPlan, context));
  }

  /**
   * explain: what the enforcers of the plan whose backends explain their artifacts show beyond the plan (the
   * NetworkProxy decision table), each compiled for it; the others are not compiled. Fails with their compile errors.
   */
  explain(plan: Plan): Result<{ enforcer: Enforcer; explanation: ArtifactExplanation }[]> {
    const explained: { enforcer: Enforcer; explanation: ArtifactExplanation }[] = [];
    const errors: PolicyError[] = [];
    const warnings: PolicyError[] = [];
    for (const enforcer of plannedEnforcers(plan)) {
      const result = this.explainEnforcer(plan, enforcer);
      if (!result) continue;
      warnings.push(...result.warnings);
      if (result.ok) explained.push({ enforcer, explanation: result.value });
      else errors.push(...result.errors);
    }
    return errors.length > 0 ? fail(errors, warnings) : ok(explained, warnings);
  }

  /** One enforcer's explanation, compiled for it; undefined when its backend does not explain. */
  private explainEnforcer<E extends Enforcer>(plan: Plan, enforcer: E): Result<ArtifactExplanation> | undefined {
    const registered = this.registered(enforcer);
    const explain = registered?.backend.explain;
    if (!registered || !explain) return undefined;
    const compiled = this.compileEnforcer(plan, enforcer);
    if (!compiled.ok) return compiled;
    const result = callBackend(registered.plugin.name, 'explain', '', () => explain.call(registered.backend, compiled.value));
    return result.ok ? ok(result.value, [...compiled.warnings, ...result.warnings]) : fail(result.errors, [...compiled.warnings, ...result.warnings]);
  }

  /**
   * verify: checks an artifact with the real tool, when its enforcer has one (none: it passes). With the policy's
   * source, the errors get its file and line:column, as compile's do.
   */
  async verify<E extends Enforcer>(artifact: Artifact<E>, source?: SourceDocument): Promise<Result<void>> {
    const registered = this.registered(artifact.enforcer);
    const verify = registered?.backend.verify;
    if (!registered || !verify) return ok(undefined);
    const result = await callBackendAsync(registered.plugin.name, 'verify', '', () => verify.call(registered.backend, artifact));
    if (!source) return result;
    const warnings = locateErrors(result.warnings, source);
    return result.ok ? ok(undefined, warnings) : fail(locateErrors(result.errors, source), warnings);
  }

  /**
   * fromProfile: an enforcer's artifact from an ArmorProfile's `spec.profile` (what a node agent loads), through the
   * enforcer's backend; errors name the profile field that could not be read.
   */
  artifactFromProfile<E extends Enforcer>(enforcer: E, profile: Profile): Result<Artifact<E>> {
    const registered = this.registered(enforcer);
    const fromProfile = registered?.backend.fromProfile;
    if (!registered || !fromProfile) return this.cannot(registered !== undefined, `no installed plugin reads ${enforcer} profiles from an ArmorProfile`);
    return callBackend(registered.plugin.name, 'fromProfile', '', () => fromProfile.call(registered.backend, profile));
  }

  /** load: applies an artifact to a target (this host by default), atomically. */
  async load<E extends Enforcer>(artifact: Artifact<E>, target: LoadTarget = { kind: 'host' }): Promise<Result<LoadResult>> {
    const registered = this.registered(artifact.enforcer);
    const load = registered?.backend.load;
    if (!registered || !load) return this.cannot(registered !== undefined, `no installed plugin loads ${artifact.enforcer} profiles`);
    return callBackendAsync(registered.plugin.name, 'load', '', () => load.call(registered.backend, artifact, target));
  }

  /** loaded: the profiles an enforcer holds on a target now, or why it cannot load there. */
  async loaded(enforcer: Enforcer, target: LoadTarget = { kind: 'host' }): Promise<Result<LoadedProfile[]>> {
    const registered = this.registered(enforcer);
    const loaded = registered?.backend.loaded;
    if (!registered || !loaded) return this.cannot(registered !== undefined, `no installed plugin lists the ${enforcer} profiles loaded`);
    return callBackendAsync(registered.plugin.name, 'loaded', '', () => loaded.call(registered.backend, target));
  }

  /** unload: removes a profile by name from a target. */
  async unload(enforcer: Enforcer, profileName: string, target: LoadTarget = { kind: 'host' }): Promise<Result<LoadResult>> {
    const registered = this.registered(enforcer);
    const unload = registered?.backend.unload;
    if (!registered || !unload) return this.cannot(registered !== undefined, `no installed plugin unloads ${enforcer} profiles`);
    return callBackendAsync(registered.plugin.name, 'unload', '', () => unload.call(registered.backend, profileName, target));
  }

  /** confine: how the artifact's enforcer would confine a local command, or why it cannot here. */
  async confine<E extends Enforcer>(artifact: Artifact<E>): Promise<Result<ConfinementStep>> {
    const registered = this.registered(artifact.enforcer);
    const confine = registered?.backend.confine;
    if (!registered || !confine) return this.cannot(registered !== undefined, `no installed plugin runs commands under ${artifact.enforcer} profiles`);
    return callBackendAsync(registered.plugin.name, 'confine', '', () => confine.call(registered.backend, artifact));
  }

  /**
   * observe: what an event says the workload did, read by the backend of the event's enforcer (for the behaviour
   * recorder). None when no backend reads that enforcer's events; a backend that throws is reported as a failed Result.
   */
  observe(event: ViolationEvent): Result<readonly BehaviorObservation[]> {
    const registered = this.registered(event.enforcer);
    const observe = registered?.backend.observe;
    if (!registered || !observe) return ok([]);
    try {
      return ok(observe.call(registered.backend, event));
    } catch (error) {
      return fail(pluginFailureErrors(new PluginFailure(registered.plugin.name, 'observe', error), ''));
    }
  }

  /** auditSource: the enforcer's own event channel, or why there is none here. */
  async openAuditSource(enforcer: Enforcer): Promise<Result<AuditSource>> {
    const registered = this.registered(enforcer);
    const auditSource = registered?.backend.auditSource;
    if (!registered || !auditSource) {
      return this.cannot(registered !== undefined, `no installed plugin reads ${enforcer} events from a channel of their own; ${enforcer} events come from the kernel log`);
    }
    return callBackendAsync(registered.plugin.name, 'auditSource', '', () => auditSource.call(registered.backend));
  }

  /**
   * close: every backend lets go of what it opened (kernel handles, file descriptors). Call it once the engine is no
   * longer used; later calls do nothing. Every backend is closed even when one fails; the result has all their errors.
   */
  async close(): Promise<Result<void>> {
    if (this.closed) return ok(undefined);
    this.closed = true;
    const errors: PolicyError[] = [];
    for (const enforcer of this.enforcers) {
      const registered = this.registered(enforcer);
      const close = registered?.backend.close;
      if (!registered || !close) continue;
      const result = await callBackendAsync(registered.plugin.name, 'close', '', () => close.call(registered.backend));
      if (!result.ok) errors.push(...result.errors);
    }
    return errors.length > 0 ? fail(errors) : ok(undefined);
  }

  /** A stage the enforcer has no plugin for, or whose plugin does not have it. */
  private cannot(installed: boolean, message: string): Result<never> {
    return fail([coreErrors.error(installed ? 'enforcer-cannot-do' : 'enforcer-not-installed', '', message)]);
  }

  /** decodeAudit: one log line → an event of a record some plugin declared, or undefined. */
  decodeAudit(record: AuditRecord): ViolationEvent | undefined {
    return this.auditRecords.decodeLine(record.line);
  }

  /**
   * attribute: an event of `policy`'s profile, named after the policy (kind, name, and namespace unless cluster-scoped),
   * then given to the policy's dialect (the `attribute` hook). A tap that throws is a PluginFailure naming its plugin.
   */
  attribute(event: ViolationEvent, policy: PolicyIR): ViolationEvent {
    const named = { ...event, policyKind: policy.kind, policyName: policy.name, policyNamespace: policy.clusterScoped ? '' : policy.namespace };
    return this.hooks.attribute.taps.length > 0 ? this.hooks.attribute.call(named, policy) : named;
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
