import { type ArtifactExplanation, baseProfile, describeFragment, type Engine, enforcerId, type EnforcerPlan, type Plan, type ProfileBuild, resolvePolicies, type ViolationAction } from '@armorkit/core';
import { EXIT, UsageError, type CliIO } from '../io.js';
import { readInputs } from '../inputs.js';
import { formatProblems, readBehaviorModels } from '../pipeline.js';

interface ExplainedRule {
  rule: string;
  listedIn?: string;
  targets?: string[];
  effect: string[];
  /** Why the rule does nothing for this enforcer. */
  skipped?: string;
}

interface ExplainedEnforcer {
  enforcer: string;
  base: string;
  violations: ViolationAction;
  profileMode: string;
  privileged: boolean;
  rules: ExplainedRule[];
  rawRules: number;
  /** Each raw rule with the field it came from, when the plan keeps one per rule (AppArmor's). */
  rawRuleLines?: { pointer: string; targets?: string[]; lines: string[] }[];
  /** What the compiled artifact decides, when the enforcer's backend explains it (the NetworkProxy decision table). */
  artifact?: ArtifactExplanation;
}

const ACTION_WORDS: Record<ViolationAction, string> = {
  deny: 'denied',
  'audit-deny': 'denied and logged',
  audit: 'allowed and logged',
  allow: 'allowed, not logged',
};

function rawRuleCount(plan: EnforcerPlan): number {
  switch (plan.enforcer) {
    case 'AppArmor':
      return plan.rawRules.length;
    case 'Seccomp':
      return plan.rawRules.rules.length;
    case 'BPF': {
      const raw = plan.rawRules?.rules;
      if (!raw) return 0;
      const egress = raw.network?.egress;
      return (
        (raw.files?.length ?? 0) +
        (raw.processes?.length ?? 0) +
        (raw.network?.sockets?.length ?? 0) +
        (egress?.toDestinations?.length ?? 0) +
        (egress?.toServices?.length ?? 0) +
        (egress?.toPods?.length ?? 0) +
        (raw.ptrace ? 1 : 0) +
        (raw.mounts?.length ?? 0)
      );
    }
    case 'NetworkProxy':
      return (plan.egress?.rules.rules?.length ?? 0) + (plan.egress?.rules.httpRules?.length ?? 0);
  }
}

/** The base profile's name; for a container posture, what it allows wholesale and protects. */
function baseDescription(build: ProfileBuild): string {
  if (build.kind !== 'Posture') return baseProfile(build);
  const { allowAll, protections } = build.posture;
  return `Posture (allowed wholesale: ${allowAll.join(', ') || 'nothing'}; protected: ${protections.join(', ') || 'nothing'})`;
}

/** The raw rules an enforcer's plan spells out, each under the field it came from (AppArmor's lines, seccomp's calls). */
function rawRuleLines(plan: EnforcerPlan): Pick<ExplainedEnforcer, 'rawRuleLines'> {
  if (plan.enforcer === 'AppArmor' && plan.rawRules.length > 0) {
    return {
      rawRuleLines: plan.rawRules.map((raw) => ({
        pointer: raw.pointer,
        ...(raw.targets ? { targets: raw.targets } : {}),
        lines: raw.rules.split('\n').map((line) => line.trim()).filter((line) => line !== ''),
      })),
    };
  }
  if (plan.enforcer === 'Seccomp' && plan.rawRules.rules.length > 0) {
    const lines = plan.rawRules.rules.map(
      (rule) => `${rule.names.join(' ')}: ${rule.action}${rule.errnoRet !== undefined ? ` (errno ${rule.errnoRet})` : ''}${rule.args?.length ? `, when ${rule.args.length} argument condition(s) hold` : ''}`,
    );
    return { rawRuleLines: [{ pointer: plan.rawRules.pointer, lines }] };
  }
  return {};
}

export function explainPlan(plan: Plan): ExplainedEnforcer[] {
  return Object.values(plan.enforcers).map((enforcerPlan) => {
    const id = enforcerId(enforcerPlan.enforcer);
    const rules: ExplainedRule[] = [
      ...enforcerPlan.rules.map((planned) => ({
        rule: planned.rule.meta.id,
        listedIn: planned.listedIn,
        ...(planned.targets ? { targets: planned.targets } : {}),
        effect: describeFragment(id, planned.rule.fragments),
      })),
      ...enforcerPlan.skipped.map((skipped) => ({ rule: skipped.rule.meta.id, effect: [], skipped: skipped.reason })),
    ];
    return {
      enforcer: enforcerPlan.enforcer,
      base: baseDescription(enforcerPlan.build),
      violations: enforcerPlan.action,
      profileMode: enforcerPlan.profileMode,
      privileged: enforcerPlan.privileged,
      rules,
      rawRules: rawRuleCount(enforcerPlan),
      ...rawRuleLines(enforcerPlan),
    };
  });
}

/** `armorkit explain <file>`: per rule and enforcer, what it does, or why it does nothing there. */
export function explainCommand(engine: Engine, paths: readonly string[], options: { format?: string; model?: string[] }, io: CliIO): number {
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format: expected text or json, got "${format}"`);
  const { files, problems } = readInputs(paths, io.cwd);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  const outcome = resolvePolicies(engine, files, { models: readBehaviorModels(options.model, io.cwd) });
  for (const line of formatProblems(outcome.errors)) io.err(line);
  // A plan's warnings (fields not enforced exactly, rules that do nothing) are part of its explanation, on stdout.

  let failed = outcome.errors.length > 0;
  const explained = outcome.resolved.map(({ file, plan }) => {
    // The backends that explain their artifacts (NetworkProxy's decision table) compile the plan for it.
    const artifacts = engine.explain(plan);
    for (const line of formatProblems(artifacts.ok ? [] : artifacts.errors)) io.err(line);
    for (const line of formatProblems(artifacts.warnings, 'warning')) io.err(line);
    if (!artifacts.ok) failed = true;
    const byEnforcer = new Map<string, ArtifactExplanation>((artifacts.ok ? artifacts.value : []).map(({ enforcer, explanation }) => [enforcer, explanation]));
    return {
      file,
      profileName: plan.profileName,
      kind: plan.policy.kind,
      name: `${plan.policy.clusterScoped ? '' : plan.policy.namespace + '/'}${plan.policy.name}`,
      mode: plan.policy.spec.policy.mode,
      notEnforcedExactly: plan.warnings,
      enforcers: explainPlan(plan).map((enforcer) => {
        const artifact = byEnforcer.get(enforcer.enforcer);
        return artifact ? { ...enforcer, artifact } : enforcer;
      }),
    };
  });
  if (format === 'json') {
    io.out(JSON.stringify(explained, null, 2));
  } else {
    for (const policy of explained) {
      io.out(`${policy.profileName}: ${policy.kind} ${policy.name} in ${policy.file}, mode ${policy.mode}`);
      for (const enforcer of policy.enforcers) {
        io.out(
          `  ${enforcer.enforcer}: base ${enforcer.base}${enforcer.privileged ? ' (privileged)' : ''}, profile runs in ${enforcer.profileMode} mode, rule violations are ${ACTION_WORDS[enforcer.violations]}`,
        );
        for (const rule of enforcer.rules) {
          if (rule.skipped) {
            io.out(`    ${rule.rule}: does nothing here, ${rule.skipped}`);
            continue;
          }
          const where = `${rule.listedIn}${rule.targets ? `, only in ${rule.targets.join(' ')}` : ''}`;
          io.out(`    ${rule.rule} [${where}]`);
          for (const effect of rule.effect) io.out(`      ${effect}`);
        }
        if (enforcer.rawRules > 0) io.out(`    raw rules: ${enforcer.rawRules}`);
        for (const raw of enforcer.rawRuleLines ?? []) {
          io.out(`      [${raw.pointer}]${raw.targets ? ` only in ${raw.targets.join(' ')}` : ''}`);
          for (const line of raw.lines) io.out(`        ${line}`);
        }
        if (enforcer.rules.length === 0 && enforcer.rawRules === 0 && !enforcer.artifact) io.out('    (no rules: the base profile only)');
        if (enforcer.artifact) {
          io.out(`    ${enforcer.artifact.heading}:`);
          enforcer.artifact.entries.forEach((entry, index) => io.out(`      ${index + 1}. ${entry.text}${entry.pointer ? ` [${entry.pointer}]` : ''}`));
        }
      }
      if (policy.notEnforcedExactly.length > 0) {
        io.out('  not enforced exactly:');
        for (const line of formatProblems(policy.notEnforcedExactly)) io.out(`    ${line}`);
      }
    }
  }
  return failed ? EXIT.invalid : EXIT.ok;
}
