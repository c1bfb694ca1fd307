import { type Artifact, varmorDialect } from '@armorkit/core';
import { PolicyTester } from '@armorkit/core/testing';
import builtinRules from '@armorkit/builtin-rules';
import { requireKernelLab } from '@armorkit/kernel-lab';
import type { ViolationEvent } from '@armorkit/core/audit';
import { BpfAuditReader } from '../../../src/audit/ring-buffer.js';
import { BpfEnforcer } from '../../../src/loader/enforcer.js';
import { bpf, type BpfPluginOptions } from '../../../src/plugin.js';

let shared: { enforcer: BpfEnforcer; reader: BpfAuditReader } | undefined;

/** The enforcer (programs attached once per VM) and an audit reader, for the kernel tests of one file. */
export async function kernelEnforcer(): Promise<{ enforcer: BpfEnforcer; reader: BpfAuditReader }> {
  requireKernelLab();
  if (shared) return shared;
  const opened = await BpfEnforcer.open();
  if (!opened.ok) throw new Error(`${opened.error.code}: ${opened.error.message}`);
  const reader = BpfAuditReader.open(opened.value);
  if (!reader.ok) throw new Error(reader.error.message);
  shared = { enforcer: opened.value, reader: reader.value };
  return shared;
}

/** An EnhanceProtect BPF policy; `enhance` is the YAML under enhanceProtect (6-space indent). */
export function enhancePolicy(enhance: string, name = 'kernel-test'): string {
  return `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: ${name}, namespace: lab}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: BPF
    mode: EnhanceProtect
    enhanceProtect:
${enhance}`;
}

/** Compiles a policy for BPF through the engine with the built-in rules. */
export function compileBpf(policy: string, options: BpfPluginOptions = { diskDevices: [] }): Artifact<'BPF'> {
  return new PolicyTester({ plugins: [varmorDialect(), bpf(options)], rulePacks: [builtinRules] }).compile(policy, 'BPF');
}

/** Applies a compiled profile to a mount namespace, failing the test if the kernel refuses. */
export function applyTo(enforcer: BpfEnforcer, namespace: number, artifact: Artifact<'BPF'>, podAddresses?: string[]): void {
  const applied = enforcer.applyProfile(namespace, artifact.data.entries, podAddresses ? { podAddresses } : {});
  if (!applied.ok) throw new Error(applied.error.message);
}

/** Events reported since the last call for one mount namespace. */
export function eventsOf(reader: BpfAuditReader, namespace: number): ViolationEvent[] {
  return reader.drain().filter((event) => event.mntNsID === namespace);
}

export const EPERM = 'errno 1';
export const EACCES = 'errno 13';

/** Closes this file's handles (programs and profiles stay for the other files of the run). */
export function closeKernelEnforcer(): void {
  shared?.reader.close();
  shared?.enforcer.close();
  shared = undefined;
}
