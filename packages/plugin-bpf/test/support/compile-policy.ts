import { type Artifact, type BpfPlan, type RulePack, varmorDialect } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import builtinRules from '@armorkit/builtin-rules';
import { bpf, type BpfPluginOptions } from '../../src/plugin.js';

export interface Compiled {
  artifact?: Artifact<'BPF'>;
  errors: { code: string; pointer: string; message: string; line?: number }[];
  warnings: { code: string; pointer: string; message: string }[];
}

/** The BPF plugin with the built-in rules (and any other packs), its golden artifacts in test/__golden__. */
export function bpfTester(options: BpfPluginOptions = { diskDevices: [] }, rulePacks: readonly RulePack[] = []): PolicyTester {
  return new PolicyTester({ plugins: [varmorDialect(), bpf(options)], rulePacks: [builtinRules, ...rulePacks], goldens: new URL('../__golden__/', import.meta.url) });
}

/** Parses, resolves and compiles a policy for BPF through an engine with the built-in rules. */
export function compilePolicy(text: string, options: BpfPluginOptions = { diskDevices: [] }): Compiled {
  const shape = (e: { code: string; pointer: string; message: string; location?: { line?: number } }) => ({
    code: e.code,
    pointer: e.pointer,
    message: e.message,
    ...(e.location?.line ? { line: e.location.line } : {}),
  });
  const out = bpfTester(options).compileResult(text, 'BPF');
  if (out.ok) return { artifact: out.value, errors: [], warnings: out.warnings.map(shape) };
  return { errors: out.errors.map(shape), warnings: out.stage === 'compile' ? out.warnings.map(shape) : [] };
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
  const plan = new PolicyTester({ plugins: [varmorDialect()], rulePacks: [builtinRules] }).plan(text).enforcers.BPF;
  if (!plan) throw new Error('no BPF plan');
  return plan;
}
