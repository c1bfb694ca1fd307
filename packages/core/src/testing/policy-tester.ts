import { AssertionError } from 'node:assert';
import type { Enforcer } from '../enforcer.js';
import type { PolicyError } from '../errors.js';
import type { PolicyIR } from '../ir.js';
import { parseBehaviorModels } from '../parse/behavior-models.js';
import { type Plan, plannedEnforcers } from '../plan.js';
import { type Failure, type Success, fail, ok } from '../result.js';
import type { RulePack } from '../rules/define.js';
import type { ArmorProfileModel } from '../schema/varmor/index.js';
import type { Artifact } from '../engine/artifact.js';
import { type Engine, createEngine } from '../engine/engine.js';
import type { Plugin } from '../engine/plugin.js';
import { type ExpectedError, assertErrors, listed } from './expected-error.js';
import { GoldenDirectory } from './goldens.js';
import { type TestFramework, testFramework } from './test-framework.js';

/** The stages a case can fail at, in pipeline order. */
export type PolicyStage = 'parse' | 'resolve' | 'compile' | 'verify';

/** One policy to put through the pipeline. */
export interface PolicyInput {
  /** The policy text (YAML or JSON, one or more documents). */
  yaml: string;
  /** The file name errors are located in. Default `policy.yaml`. */
  file?: string;
  /** Behaviour models (ArmorProfileModel by profile name, or their YAML) for DefenseInDepth on a BehaviorModel. */
  models?: ReadonlyMap<string, ArmorProfileModel> | string;
  /** Which of the text's policies, when it has several. Default 0. */
  policy?: number;
  /** The enforcers to compile. Default: every enforcer of the plan. */
  enforcers?: readonly Enforcer[];
}

export interface ValidCase extends PolicyInput {
  /** The test's name. Default: the file name and the case's index. */
  name?: string;
  /**
   * Golden files (names in the tester's golden directory) the artifacts must equal: one name when one enforcer is
   * compiled, else one per enforcer. Without it the case only has to compile.
   */
  golden?: string | Partial<Record<Enforcer, string>>;
  /** The warnings (resolve's, then compile's) the case must produce, exactly; unchecked when absent. */
  warnings?: readonly ExpectedError[];
  /** Also check every artifact with the real tool (`engine.verify`). */
  verify?: boolean;
}

export interface InvalidCase extends PolicyInput {
  name?: string;
  /** The stage that must fail; the stages before it must pass. */
  stage: PolicyStage;
  /** Exactly the errors of that stage, in order. */
  errors: readonly ExpectedError[];
}

/** A policy the pipeline got through compile: the policy, its plan and the artifacts of the enforcers asked for. */
export interface CompiledPolicy {
  policy: PolicyIR;
  plan: Plan;
  artifacts: Artifact[];
}

/** A stage that failed, with what the stages before it produced. */
export interface StageFailure extends Failure {
  stage: PolicyStage;
  policy?: PolicyIR;
  plan?: Plan;
}

/** What the pipeline made of a policy, as a Result (warnings: resolve's, then compile's). */
export type PipelineOutcome = Success<CompiledPolicy> | StageFailure;

export interface PolicyTesterOptions {
  plugins?: readonly Plugin[];
  rulePacks?: readonly RulePack[];
  /** The directory of golden files valid cases name. */
  goldens?: string | URL;
  /** Rewrite golden files instead of comparing. Default: the UPDATE_GOLDENS environment variable is `1`. */
  updateGoldens?: boolean;
  /** What a golden file holds for an artifact. Default: its one file's content. */
  goldenContent?: (artifact: Artifact) => string;
  /** The test framework's registration functions. Default: vitest's. */
  describe?: TestFramework['describe'];
  it?: TestFramework['it'];
}

/**
 * Runs policies through an engine of the given plugins and rule packs and asserts on what comes out (ESLint's
 * RuleTester, for enforcers): `run` registers valid and invalid cases as tests; `parse`, `plan`, `compile` and
 * `outcome` give tests the values themselves. Every error code it sees must be declared by the engine's catalogs.
 */
export class PolicyTester {
  readonly engine: Engine;
  private readonly options: PolicyTesterOptions;
  private readonly goldens: GoldenDirectory | undefined;

  constructor(options: PolicyTesterOptions = {}) {
    this.options = options;
    this.engine = createEngine({ plugins: options.plugins ?? [], rulePacks: options.rulePacks ?? [] });
    const update = options.updateGoldens ?? process.env.UPDATE_GOLDENS === '1';
    this.goldens = options.goldens === undefined ? undefined : new GoldenDirectory(options.goldens, update);
  }

  /** Registers one `describe(name)` with a test per case. */
  run(name: string, cases: { valid?: readonly ValidCase[]; invalid?: readonly InvalidCase[] }): void {
    const { describe, it } = testFramework(this.options);
    describe(name, () => {
      (cases.valid ?? []).forEach((valid, index) => it(valid.name ?? `valid ${index + 1}: ${valid.file ?? 'policy.yaml'}`, () => this.assertValid(valid)));
      (cases.invalid ?? []).forEach((invalid, index) =>
        it(invalid.name ?? `invalid ${index + 1}: ${invalid.file ?? 'policy.yaml'} fails at ${invalid.stage}`, () => this.assertInvalid(invalid)),
      );
    });
  }

  /** Fails unless the case compiles (and verifies, when asked), with the warnings and golden artifacts it names. */
  async assertValid(valid: ValidCase): Promise<void> {
    const outcome = this.outcome(valid);
    const what = valid.name ?? valid.file ?? 'policy.yaml';
    if (!outcome.ok) throw new AssertionError({ message: `${what}: expected to compile, failed at ${outcome.stage}:\n${listed(outcome.errors)}` });
    if (valid.warnings) assertErrors(`${what} warnings`, outcome.warnings, valid.warnings);
    if (valid.verify) {
      const errors = await this.verifyAll(outcome.value);
      if (errors.length > 0) throw new AssertionError({ message: `${what}: expected to verify, failed:\n${listed(errors)}` });
    }
    if (valid.golden !== undefined) this.assertGoldens(what, outcome.value.artifacts, valid.golden);
  }

  /** Fails unless the case gets through the stages before `stage` and fails at it with exactly the expected errors. */
  async assertInvalid(invalid: InvalidCase): Promise<void> {
    const what = invalid.name ?? invalid.file ?? 'policy.yaml';
    const outcome = this.outcome(invalid);
    let stage: PolicyStage | 'none' = outcome.ok ? 'none' : outcome.stage;
    let errors = outcome.ok ? [] : outcome.errors;
    if (outcome.ok && invalid.stage === 'verify') {
      errors = await this.verifyAll(outcome.value);
      if (errors.length > 0) stage = 'verify';
    }
    if (stage !== invalid.stage) {
      throw new AssertionError({ message: `${what}: expected to fail at ${invalid.stage}, ${stage === 'none' ? 'passed every stage' : `failed at ${stage}`}:\n${listed(errors)}`, actual: stage, expected: invalid.stage });
    }
    assertErrors(`${what} (${invalid.stage})`, errors, invalid.errors);
  }

  /** The policies of a text; fails the test with the errors when it does not parse. */
  parse(yaml: string, file = 'policy.yaml'): PolicyIR[] {
    const parsed = this.engine.parse(yaml, file);
    this.checkDeclared(parsed.errors);
    if (parsed.errors.length > 0) throw new AssertionError({ message: `${file}: does not parse:\n${listed(parsed.errors)}` });
    return parsed.policies;
  }

  /** The plan of a policy; fails the test with the errors when it does not parse or resolve. */
  plan(yaml: string, input: Omit<PolicyInput, 'yaml' | 'enforcers'> = {}): Plan {
    const outcome = this.resolveOutcome({ yaml, ...input });
    if (!outcome.ok) throw new AssertionError({ message: `${input.file ?? 'policy.yaml'}: fails at ${outcome.stage}:\n${listed(outcome.errors)}` });
    return outcome.plan;
  }

  /** The plan of a policy as a Result: the stage that failed (parse or resolve) and its errors, or the plan with its warnings. */
  planResult(yaml: string, input: Omit<PolicyInput, 'yaml' | 'enforcers'> = {}): Success<Plan> | StageFailure {
    const resolved = this.resolveOutcome({ yaml, ...input });
    return resolved.ok ? ok(resolved.plan, resolved.plan.warnings) : resolved;
  }

  /** The typed artifact of one enforcer; fails the test with the errors when any stage up to compile fails. */
  compile<E extends Enforcer>(yaml: string, enforcer: E, input: Omit<PolicyInput, 'yaml' | 'enforcers'> = {}): Artifact<E> {
    const plan = this.plan(yaml, input);
    const result = this.engine.compileEnforcer(plan, enforcer);
    this.checkDeclared([...result.warnings, ...(result.ok ? [] : result.errors)]);
    if (!result.ok) throw new AssertionError({ message: `${input.file ?? 'policy.yaml'}: ${enforcer} does not compile:\n${listed(result.errors)}` });
    return result.value;
  }

  /**
   * One enforcer's typed artifact as a Result: the stage that failed and its errors, or the artifact with the
   * warnings of resolve and compile. For tests that assert on the errors themselves.
   */
  compileResult<E extends Enforcer>(yaml: string, enforcer: E, input: Omit<PolicyInput, 'yaml' | 'enforcers'> = {}): Success<Artifact<E>> | StageFailure {
    const resolved = this.resolveOutcome({ yaml, ...input });
    if (!resolved.ok) return resolved;
    const { policy, plan } = resolved;
    const result = this.engine.compileEnforcer(plan, enforcer);
    const warnings = [...plan.warnings, ...result.warnings];
    this.checkDeclared([...warnings, ...(result.ok ? [] : result.errors)]);
    return result.ok ? ok(result.value, warnings) : { ...fail(result.errors, warnings), stage: 'compile', policy, plan };
  }

  /** parse → resolve → compile, stopping at the first stage that fails; problems are values, never thrown. */
  outcome(input: PolicyInput): PipelineOutcome {
    const resolved = this.resolveOutcome(input);
    if (!resolved.ok) return resolved;
    const { policy, plan } = resolved;
    const compiled = this.engine.compile(plan, input.enforcers ?? plannedEnforcers(plan));
    const warnings = [...plan.warnings, ...compiled.warnings];
    this.checkDeclared([...warnings, ...(compiled.ok ? [] : compiled.errors)]);
    return compiled.ok ? ok({ policy, plan, artifacts: compiled.value }, warnings) : { ...fail(compiled.errors, warnings), stage: 'compile', policy, plan };
  }

  /** Fails unless the golden file `name` (in the tester's golden directory) holds exactly `content`. */
  assertGolden(name: string, content: string): void {
    if (!this.goldens) throw new TypeError('PolicyTester: a golden file was named but no golden directory was given (option goldens)');
    this.goldens.check(name, content);
  }

  private resolveOutcome(input: PolicyInput): { ok: true; policy: PolicyIR; plan: Plan } | StageFailure {
    const file = input.file ?? 'policy.yaml';
    const parsed = this.engine.parse(input.yaml, file);
    const models = typeof input.models === 'string' ? parseBehaviorModels(input.models, `${file} (models)`) : { models: input.models, errors: [] };
    const parseErrors = [...parsed.errors, ...models.errors];
    this.checkDeclared(parseErrors);
    if (parseErrors.length > 0) return { ...fail(parseErrors), stage: 'parse' };
    const policy = parsed.policies[input.policy ?? 0];
    if (!policy) throw new AssertionError({ message: `${file}: has ${parsed.policies.length} policies, none at index ${input.policy ?? 0} (ignored documents: ${parsed.ignored.map((doc) => doc.kind).join(', ') || 'none'})` });
    const { plan, errors } = this.engine.resolve(policy, models.models);
    this.checkDeclared([...errors, ...(plan?.warnings ?? [])]);
    if (!plan || errors.length > 0) return { ...fail(errors, plan?.warnings ?? []), stage: 'resolve', policy, ...(plan ? { plan } : {}) };
    return { ok: true, policy, plan };
  }

  private async verifyAll(outcome: CompiledPolicy): Promise<PolicyError[]> {
    const errors: PolicyError[] = [];
    for (const artifact of outcome.artifacts) {
      const result = await this.engine.verify(artifact, outcome.policy.source);
      this.checkDeclared([...result.warnings, ...(result.ok ? [] : result.errors)]);
      if (!result.ok) errors.push(...result.errors);
    }
    return errors;
  }

  private assertGoldens(what: string, artifacts: readonly Artifact[], golden: NonNullable<ValidCase['golden']>): void {
    const content = this.options.goldenContent ?? singleFile;
    if (typeof golden === 'string') {
      const [artifact, ...others] = artifacts;
      if (!artifact || others.length > 0) throw new TypeError(`${what}: one golden name for ${artifacts.length} artifacts; name one per enforcer`);
      this.assertGolden(golden, content(artifact));
      return;
    }
    for (const artifact of artifacts) {
      const name = golden[artifact.enforcer];
      if (name === undefined) throw new TypeError(`${what}: no golden file named for the ${artifact.enforcer} artifact`);
      this.assertGolden(name, content(artifact));
    }
  }

  /** A code no catalog of the engine declares is a bug in whoever raised it (docs/errors.md would not list it). */
  private checkDeclared(errors: readonly PolicyError[]): void {
    const undeclared = errors.filter((error) => !this.engine.errorCodes.has(error.code));
    if (undeclared.length > 0) {
      throw new AssertionError({ message: `error codes no catalog of the engine declares (add them to the plugin's defineErrors):\n${listed(undeclared)}` });
    }
  }
}

function singleFile(artifact: Artifact): string {
  const [file, ...others] = artifact.files;
  if (!file || others.length > 0) throw new TypeError(`the ${artifact.enforcer} artifact has ${artifact.files.length} files; give PolicyTester a goldenContent option`);
  return file.content;
}
