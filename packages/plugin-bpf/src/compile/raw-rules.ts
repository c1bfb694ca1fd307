import type { BpfRawRules, FileRule } from '@armorkit/core/schema';
import type { ViolationAction } from '@armorkit/core';
import type { BpfEgressResolver } from './egress-resolver.js';
import { fileRules } from './file-rules.js';
import { mountRules } from './mount-rules.js';
import { connectRules, socketRule } from './network-rules.js';
import { ptraceMask } from './permissions.js';
import type { ProfileBuilder } from './profile-builder.js';
import type { RuleOrigin } from './profile.js';
import { qualifierMode } from './rule-mode.js';

export interface RawRuleContext {
  builder: ProfileBuilder;
  action: ViolationAction;
  privileged: boolean;
  diskDevices: readonly string[];
  resolver: BpfEgressResolver | undefined;
}

/** Adds `bpfRawRules` (reference §3.12): each rule's mode comes from its qualifiers and the policy's action. */
export function addRawRules(rules: BpfRawRules, pointer: string, context: RawRuleContext): void {
  const { builder, action } = context;
  const origin = (path: string): RuleOrigin => ({ pointer: `${pointer}${path}`, source: 'raw' });
  const invalid = (at: RuleOrigin, problem: string) => builder.error('bpf-invalid-rule', at.pointer, problem);

  // Entries of both lists make file rules and exec rules alike, as in vArmor.
  const addPaths = (list: 'files' | 'processes', entries: readonly FileRule[] | undefined) =>
    (entries ?? []).forEach((entry, index) => {
      const at = origin(`/${list}/${index}`);
      const made = fileRules(entry.pattern, entry.permissions, qualifierMode(entry.qualifiers, action), at, context.diskDevices);
      if ('problem' in made) return invalid(at, made.problem);
      made.files.forEach(builder.addFile);
      made.processes.forEach(builder.addExec);
    });
  addPaths('files', rules.files);
  addPaths('processes', rules.processes);

  (rules.network?.sockets ?? []).forEach((socket, index) => {
    const at = origin(`/network/sockets/${index}`);
    const made = socketRule(socket, qualifierMode(socket.qualifiers, action), at);
    if ('problem' in made) invalid(at, made.problem);
    else builder.addNetwork(made);
  });
  const egress = rules.network?.egress;
  (egress?.toDestinations ?? []).forEach((destination, index) => {
    const at = origin(`/network/egress/toDestinations/${index}`);
    const made = connectRules(destination, qualifierMode(destination.qualifiers, action), at);
    if ('problem' in made) invalid(at, made.problem);
    else made.forEach(builder.addNetwork);
  });
  (egress?.toServices ?? []).forEach((service, index) => {
    const at = origin(`/network/egress/toServices/${index}`);
    const mode = qualifierMode(service.qualifiers, action);
    const { qualifiers: _qualifiers, ...query } = service;
    if (!context.resolver) return missingResolver(builder, at, 'toServices');
    const resolved = context.resolver.services(query);
    if ('error' in resolved) return builder.error('bpf-resolver-failed', at.pointer, `toServices: ${resolved.error}`);
    for (const destination of resolved.destinations) {
      const made = connectRules({ ip: destination.ip, ports: destination.ports ?? [] }, mode, at);
      if ('problem' in made) invalid(at, `toServices address ${destination.ip}: ${made.problem}`);
      else made.forEach(builder.addNetwork);
    }
  });
  (egress?.toPods ?? []).forEach((pods, index) => {
    const at = origin(`/network/egress/toPods/${index}`);
    const mode = qualifierMode(pods.qualifiers, action);
    const { qualifiers: _qualifiers, ports, ...query } = pods;
    if (!context.resolver) return missingResolver(builder, at, 'toPods');
    const resolved = context.resolver.pods(query);
    if ('error' in resolved) return builder.error('bpf-resolver-failed', at.pointer, `toPods: ${resolved.error}`);
    for (const ip of resolved.addresses) {
      const made = connectRules({ ip, ports: ports ?? [] }, mode, at);
      if ('problem' in made) invalid(at, `toPods address ${ip}: ${made.problem}`);
      else made.forEach(builder.addNetwork);
    }
  });

  if (rules.ptrace) {
    const permissions = ptraceMask(rules.ptrace.permissions);
    if (permissions !== 0) {
      const mode = qualifierMode(rules.ptrace.qualifiers, action);
      builder.addPtrace({ mode, permissions, strict: rules.ptrace.strictMode ?? false, origin: origin('/ptrace') });
    }
  }

  if (rules.mounts?.length && !context.privileged) {
    builder.warning(
      'bpf-mounts-not-privileged',
      `${pointer}/mounts`,
      'mount rules apply to privileged containers only (enhanceProtect.privileged: true); the base profile of a ' +
        'non-privileged container already denies every mount, so these rules are not added',
    );
    return;
  }
  (rules.mounts ?? []).forEach((mount, index) => {
    const at = origin(`/mounts/${index}`);
    const made = mountRules(mount, qualifierMode(mount.qualifiers, action), at, context.diskDevices);
    if ('problem' in made) invalid(at, made.problem);
    else made.forEach(builder.addMount);
  });
}

function missingResolver(builder: ProfileBuilder, at: RuleOrigin, field: string): void {
  builder.error(
    'bpf-resolver-missing',
    at.pointer,
    `${field} names Kubernetes objects whose addresses are only known to the cluster; this engine has no egress resolver ` +
      `(bpf({ resolver }), provided by the Kubernetes integration), so the rule cannot be compiled`,
  );
}
