import type { BpfFragment, PlannedRule, RuleSection } from '@armorkit/core';
import { capabilityMask } from './capabilities.js';
import type { BpfEgressResolver } from './egress-resolver.js';
import { fileRules } from './file-rules.js';
import { mountRules } from './mount-rules.js';
import { connectRules, socketRule } from './network-rules.js';
import { ptraceMask } from './permissions.js';
import type { ProfileBuilder } from './profile-builder.js';
import type { RuleOrigin } from './profile.js';

/** vArmor's BPF generation order: hardening, vulnerability mitigation, then attack protection. */
const SECTION_ORDER: Record<RuleSection, number> = { hardening: 0, vulMitigation: 1, attackProtection: 2 };

export interface BuiltInContext {
  builder: ProfileBuilder;
  mode: number;
  privileged: boolean;
  diskDevices: readonly string[];
  resolver: BpfEgressResolver | undefined;
}

/** Adds the BPF fragments of the plan's built-in (and rule-pack) rules. */
export function addBuiltInRules(rules: readonly PlannedRule[], context: BuiltInContext): void {
  const ordered = [...rules].sort((a, b) => SECTION_ORDER[a.listedIn] - SECTION_ORDER[b.listedIn]);
  for (const planned of ordered) {
    const fragment = planned.rule.fragments.bpf as BpfFragment | undefined;
    if (fragment) addFragment(fragment, { pointer: planned.pointer, source: planned.rule.meta.id }, context);
  }
}

function addFragment(fragment: BpfFragment, origin: RuleOrigin, context: BuiltInContext): void {
  const { builder, mode } = context;
  const invalid = (problem: string) => builder.error('bpf-invalid-rule', origin.pointer, `rule "${origin.source}": ${problem}`);
  for (const file of fragment.files ?? []) {
    const made = fileRules(file.pattern, file.permissions, mode, origin, context.diskDevices);
    if ('problem' in made) invalid(made.problem);
    else {
      made.files.forEach(builder.addFile);
      made.processes.forEach(builder.addExec);
    }
  }
  for (const process of fragment.processes ?? []) {
    const made = fileRules(process.pattern, ['exec'], mode, origin, context.diskDevices);
    if ('problem' in made) invalid(made.problem);
    else made.processes.forEach(builder.addExec);
  }
  if (fragment.capabilities?.length) {
    let capabilities = 0n;
    for (const name of fragment.capabilities) {
      const mask = capabilityMask(name);
      if (mask === undefined) invalid(`unknown capability ${JSON.stringify(name)}`);
      else capabilities |= mask;
    }
    builder.addCapability({ mode, capabilities, origin });
  }
  if (fragment.ptrace) {
    builder.addPtrace({ mode, permissions: ptraceMask(fragment.ptrace.permissions), strict: fragment.ptrace.strictMode, origin });
  }
  for (const mount of fragment.mounts ?? []) {
    // Non-privileged containers already have every mount denied by the base profile.
    if (mount.privilegedOnly && !context.privileged) continue;
    const made = mountRules(mount, mode, origin, context.diskDevices);
    if ('problem' in made) invalid(made.problem);
    else made.forEach(builder.addMount);
  }
  for (const socket of fragment.sockets ?? []) {
    const made = socketRule(socket, mode, origin);
    if ('problem' in made) invalid(made.problem);
    else builder.addNetwork(made);
  }
  for (const destination of fragment.egress ?? []) {
    const made = connectRules(destination, mode, origin);
    if ('problem' in made) invalid(made.problem);
    else made.forEach(builder.addNetwork);
  }
  for (const service of fragment.services ?? []) {
    const field = `Service ${service.namespace}/${service.name}`;
    if (!context.resolver) {
      builder.error(
        'bpf-resolver-missing',
        origin.pointer,
        `rule "${origin.source}" blocks ${field}, whose addresses come from Kubernetes; this engine has no egress resolver ` +
          `(bpf({ resolver }), provided by the Kubernetes integration), so the rule cannot be compiled`,
      );
      continue;
    }
    const resolved = context.resolver.services({ namespace: service.namespace, name: service.name });
    if ('error' in resolved) {
      builder.error('bpf-resolver-failed', origin.pointer, `rule "${origin.source}": cannot resolve ${field}: ${resolved.error}`);
      continue;
    }
    for (const destination of resolved.destinations) {
      const made = connectRules({ ip: destination.ip, ports: destination.ports ?? [] }, mode, origin);
      if ('problem' in made) invalid(`${field}: ${made.problem}`);
      else made.forEach(builder.addNetwork);
    }
  }
}
