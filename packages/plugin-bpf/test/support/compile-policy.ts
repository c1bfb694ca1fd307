import { createEngine, type Artifact, type BpfPlan, errorsOf, varmorDialect } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import { bpf, type BpfPluginOptions } from '../../src/plugin.js';

export interface Compiled {
  artifact?: Artifact<'BPF'>;
  errors: { code: string; pointer: string; message: string; line?: number }[];
  warnings: { code: string; pointer: string; message: string }[];
}

/** Parses, resolves and compiles a policy for BPF through an engine with the built-in rules. */
export function compilePolicy(text: string, options: BpfPluginOptions = { diskDevices: [] }): Compiled {
  const engine = createEngine({ plugins: [varmorDialect(), bpf(options)], rulePacks: [builtinRules] });
  const parsed = engine.parse(text, 'policy.yaml');
  const shape = (e: { code: string; pointer: string; message: string; location?: { line?: number } }) => ({
    code: e.code,
    pointer: e.pointer,
    message: e.message,
    ...(e.location?.line ? { line: e.location.line } : {}),
  });
  if (parsed.errors.length > 0) return { errors: parsed.errors.map(shape), warnings: [] };
  const { plan, errors } = engine.resolve(parsed.policies[0]!);
  if (!plan) return { errors: errors.map(shape), warnings: [] };
  const out = engine.compileEnforcer(plan, 'BPF');
  return {
    ...(out.ok ? { artifact: out.value } : {}),
    errors: errorsOf(out).map(shape),
    warnings: [...plan.warnings, ...out.warnings].map(shape),
  };
}

/** A VarmorPolicy for BPF with the given `policy:` body lines (indented under `policy:`). */
export function bpfPolicy(mode: string, body = ''): string {
  return `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: demo, namespace: test}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: BPF
    mode: ${mode}
${body}`;
}

/** An EnhanceProtect BPF policy; `enhance` is YAML under `enhanceProtect:` indented by 6 spaces. */
export function enhancePolicy(enhance: string): string {
  return bpfPolicy('EnhanceProtect', `    enhanceProtect:\n${enhance}`);
}

/** The BPF plan of a policy (for calling the compile functions directly). */
export function planFor(text: string): BpfPlan {
  const engine = createEngine({ plugins: [varmorDialect()], rulePacks: [builtinRules] });
  const parsed = engine.parse(text, 'policy.yaml');
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  const { plan, errors } = engine.resolve(parsed.policies[0]!);
  if (!plan?.enforcers.BPF) throw new Error(errors.map((e) => e.message).join('; '));
  return plan.enforcers.BPF;
}
