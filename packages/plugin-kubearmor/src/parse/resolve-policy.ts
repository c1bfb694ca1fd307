import type { PolicyError, SourceDocument } from '@armorkit/core';
import { kubearmorErrors } from '../errors.js';
import type { KubeArmorAction } from '../schema/leaf-types.js';
import type { AnyKubeArmorPolicy } from '../schema/policy.js';
import {
  type AlertSettings,
  CAPABILITIES,
  type Capability,
  type KubeArmorRules,
  type KubeArmorTarget,
  NETWORK_PROTOCOLS,
  type NetworkProtocol,
  type ParsedKubeArmorPolicy,
} from './parsed-policy.js';
import { suggestion } from './suggest.js';

/** The alert fields as written at one level (rule, section or spec). */
interface WrittenAlert {
  action?: KubeArmorAction | undefined;
  severity?: number | undefined;
  tags?: string[] | undefined;
  message?: string | undefined;
}

/** Defaults when no level sets a field: KubeArmor's daemon turns an empty action into Block. */
const DEFAULT_ALERT: AlertSettings = { action: 'Block', severity: 1, tags: [], message: '' };

/**
 * The daemon's inheritance: each field independently from the rule, else the section, else the spec, else the
 * default. Zero severities, empty tag lists and empty messages count as unset, as in KubeArmor.
 */
export function inheritAlert(...levels: (WrittenAlert | undefined)[]): AlertSettings {
  const first = <T>(pick: (level: WrittenAlert) => T | undefined, fallback: T): T => {
    for (const level of levels) {
      const value = level ? pick(level) : undefined;
      if (value !== undefined) return value;
    }
    return fallback;
  };
  return {
    action: first((level) => level.action, DEFAULT_ALERT.action),
    severity: first((level) => (level.severity ? level.severity : undefined), DEFAULT_ALERT.severity),
    tags: [...first((level) => (level.tags && level.tags.length > 0 ? level.tags : undefined), DEFAULT_ALERT.tags)],
    message: first((level) => (level.message ? level.message : undefined), DEFAULT_ALERT.message),
  };
}

const sources = (fromSource: { path?: string | undefined }[] | undefined): string[] =>
  (fromSource ?? []).flatMap((source) => (source.path === undefined ? [] : [source.path]));

/**
 * A comma list (`tcp,udp`) as the daemon splits it (spaces removed), every item checked against `known`: the CRD's
 * end-anchored pattern lets `tcp,udp` and also `xtcp` or `cap_net_raw` through, which name nothing KubeArmor knows.
 */
function commaItems<T extends string>(
  value: string,
  known: readonly T[],
  pointer: string,
  what: string,
  errors: PolicyError[],
  normalise: (item: string) => string = (item) => item,
): T[] {
  const items: T[] = [];
  for (const written of value.replace(/\s+/g, '').split(',')) {
    const item = normalise(written);
    const found = known.find((candidate) => candidate === item);
    if (found) {
      items.push(found);
      continue;
    }
    const hint = suggestion(item, known);
    const message =
      `${JSON.stringify(written)} in ${JSON.stringify(value)} is not a ${what}: the CRD's pattern is anchored only at its end, ` +
      `so the API server accepts it, but it names none${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}`;
    errors.push(kubearmorErrors.error(what === 'capability' ? 'kubearmor/unknown-capability' : 'kubearmor/unknown-protocol', pointer, message, value));
  }
  return items;
}

/** The selector label that names containers rather than matching a pod label. */
export const CONTAINER_NAME_LABEL = 'kubearmor.io/container.name';

/**
 * `"[a, b]"` → a and b; `"[]"` or `""` → every container. KubeArmor strips the first and last character whatever
 * they are, so its `wordpress-mysql` selects a container named `ordpress-mysq`; a value without brackets is one name here.
 */
function containerNamesOf(value: string): string[] {
  const list = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  return list
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

function targetOf(policy: AnyKubeArmorPolicy): KubeArmorTarget {
  switch (policy.kind) {
    case 'KubeArmorPolicy': {
      const { [CONTAINER_NAME_LABEL]: containerNames, ...matchLabels } = policy.spec?.selector?.matchLabels ?? {};
      return {
        kind: 'pods',
        namespace: policy.metadata.namespace ?? 'default',
        matchLabels,
        containers: containerNames === undefined ? [] : containerNamesOf(containerNames),
        matchExpressions: [...(policy.spec?.selector?.matchExpressions ?? [])],
        pointer: '/spec/selector',
      };
    }
    case 'KubeArmorClusterPolicy':
      return { kind: 'cluster', matchExpressions: [...(policy.spec?.selector?.matchExpressions ?? [])], pointer: '/spec/selector' };
    case 'KubeArmorHostPolicy':
      return { kind: 'host', nodeLabels: { ...(policy.spec?.nodeSelector.matchLabels ?? {}) }, pointer: '/spec/nodeSelector' };
  }
}

/** The rules of a validated policy, each with its resolved alert fields and its pointer, comma lists expanded. */
function rulesOf(policy: AnyKubeArmorPolicy, errors: PolicyError[]): KubeArmorRules {
  const spec = policy.spec;
  const rules: KubeArmorRules = {
    process: { paths: [], directories: [], patterns: [] },
    file: { paths: [], directories: [], patterns: [] },
    network: { protocols: [], dnsQueries: [] },
    capabilities: [],
    syscalls: { syscalls: [], paths: [] },
    device: [],
    presets: [],
  };
  if (!spec) return rules;
  const { process, file, network, capabilities, syscalls } = spec;

  process?.matchPaths?.forEach((rule, index) => {
    rules.process.paths.push({
      ...inheritAlert(rule, process, spec),
      pointer: `/spec/process/matchPaths/${index}`,
      ...(rule.path === undefined ? {} : { path: rule.path }),
      ...(rule.execname === undefined ? {} : { execname: rule.execname }),
      allowedArgs: [...(rule.allowedArgs ?? [])],
      ownerOnly: rule.ownerOnly ?? false,
      ...(rule.pts === undefined ? {} : { pts: rule.pts }),
      fromSource: sources(rule.fromSource),
    });
  });
  process?.matchDirectories?.forEach((rule, index) => {
    rules.process.directories.push({
      ...inheritAlert(rule, process, spec),
      pointer: `/spec/process/matchDirectories/${index}`,
      dir: rule.dir,
      recursive: rule.recursive ?? false,
      ownerOnly: rule.ownerOnly ?? false,
      ...(rule.pts === undefined ? {} : { pts: rule.pts }),
      fromSource: sources(rule.fromSource),
    });
  });
  process?.matchPatterns?.forEach((rule, index) => {
    rules.process.patterns.push({
      ...inheritAlert(rule, process, spec),
      pointer: `/spec/process/matchPatterns/${index}`,
      pattern: rule.pattern,
      ownerOnly: rule.ownerOnly ?? false,
    });
  });

  file?.matchPaths?.forEach((rule, index) => {
    rules.file.paths.push({
      ...inheritAlert(rule, file, spec),
      pointer: `/spec/file/matchPaths/${index}`,
      path: rule.path,
      readOnly: rule.readOnly ?? false,
      ownerOnly: rule.ownerOnly ?? false,
      ...(rule.pts === undefined ? {} : { pts: rule.pts }),
      fromSource: sources(rule.fromSource),
    });
  });
  file?.matchDirectories?.forEach((rule, index) => {
    rules.file.directories.push({
      ...inheritAlert(rule, file, spec),
      pointer: `/spec/file/matchDirectories/${index}`,
      dir: rule.dir,
      recursive: rule.recursive ?? false,
      readOnly: rule.readOnly ?? false,
      ownerOnly: rule.ownerOnly ?? false,
      ...(rule.pts === undefined ? {} : { pts: rule.pts }),
      fromSource: sources(rule.fromSource),
    });
  });
  file?.matchPatterns?.forEach((rule, index) => {
    rules.file.patterns.push({
      ...inheritAlert(rule, file, spec),
      pointer: `/spec/file/matchPatterns/${index}`,
      pattern: rule.pattern,
      readOnly: rule.readOnly ?? false,
      ownerOnly: rule.ownerOnly ?? false,
    });
  });

  network?.matchProtocols?.forEach((rule, index) => {
    const pointer = `/spec/network/matchProtocols/${index}`;
    const protocols = commaItems<NetworkProtocol>(rule.protocol, NETWORK_PROTOCOLS, `${pointer}/protocol`, 'protocol', errors, (item) => item.toLowerCase());
    const pts = 'pts' in rule && rule.pts !== undefined ? { pts: rule.pts } : {};
    for (const protocol of protocols) {
      rules.network.protocols.push({ ...inheritAlert(rule, network, spec), pointer, protocol, ...pts, fromSource: sources(rule.fromSource) });
    }
  });
  network?.matchDNSQueries?.forEach((rule, index) => {
    const pointer = `/spec/network/matchDNSQueries/${index}`;
    for (const domain of rule.domain.replace(/\s+/g, '').split(',')) {
      if (domain === '') {
        errors.push(kubearmorErrors.error('kubearmor/empty-domain', `${pointer}/domain`, `domain ${JSON.stringify(rule.domain)} has an empty item`, rule.domain));
        continue;
      }
      rules.network.dnsQueries.push({ ...inheritAlert(rule, network, spec), pointer, domain, fromSource: sources(rule.fromSource) });
    }
  });

  capabilities?.matchCapabilities?.forEach((rule, index) => {
    const pointer = `/spec/capabilities/matchCapabilities/${index}`;
    for (const capability of commaItems<Capability>(rule.capability, CAPABILITIES, `${pointer}/capability`, 'capability', errors)) {
      rules.capabilities.push({ ...inheritAlert(rule, capabilities, spec), pointer, capability, fromSource: sources(rule.fromSource) });
    }
  });

  // Syscall rules have no alert fields of their own and no action at all: KubeArmor only audits them.
  syscalls?.matchSyscalls?.forEach((rule, index) => {
    rules.syscalls.syscalls.push({
      ...inheritAlert({ action: 'Audit' }, syscalls, spec),
      pointer: `/spec/syscalls/matchSyscalls/${index}`,
      syscalls: [...(rule.syscall ?? [])],
      fromSource: [...(rule.fromSource ?? [])],
    });
  });
  syscalls?.matchPaths?.forEach((rule, index) => {
    rules.syscalls.paths.push({
      ...inheritAlert({ action: 'Audit' }, syscalls, spec),
      pointer: `/spec/syscalls/matchPaths/${index}`,
      ...(rule.path === undefined ? {} : { path: rule.path }),
      recursive: rule.recursive ?? false,
      syscalls: [...(rule.syscall ?? [])],
      fromSource: [...(rule.fromSource ?? [])],
    });
  });

  if (policy.kind === 'KubeArmorHostPolicy') {
    const device = policy.spec?.device;
    device?.matchDevice?.forEach((rule, index) => {
      rules.device.push({
        ...inheritAlert(rule, device, spec),
        pointer: `/spec/device/matchDevice/${index}`,
        class: rule.class,
        ...(rule.subClass === undefined ? {} : { subClass: rule.subClass }),
        ...(rule.protocol === undefined ? {} : { protocol: rule.protocol }),
        ...(rule.level === undefined ? {} : { level: rule.level }),
      });
    });
  } else {
    policy.spec?.presets?.forEach((preset, index) => {
      rules.presets.push({ pointer: `/spec/presets/${index}`, name: preset.name ?? '', action: preset.action ?? spec.action ?? DEFAULT_ALERT.action });
    });
  }
  return rules;
}

/** A validated document as the dialect hands it on; errors for values the CRD lets through that name nothing. */
export function resolveKubeArmorPolicy(policy: AnyKubeArmorPolicy, source: SourceDocument): { policy?: ParsedKubeArmorPolicy; errors: PolicyError[] } {
  const errors: PolicyError[] = [];
  const rules = rulesOf(policy, errors);
  if (errors.length > 0) return { errors };
  const apparmor = policy.spec?.apparmor;
  return {
    policy: {
      kind: policy.kind,
      name: policy.metadata.name,
      ...(policy.kind === 'KubeArmorPolicy' ? { namespace: policy.metadata.namespace ?? 'default' } : {}),
      labels: { ...(policy.metadata.labels ?? {}) },
      target: targetOf(policy),
      rules,
      ...(apparmor === undefined ? {} : { apparmor: { text: apparmor, pointer: '/spec/apparmor' } }),
      policy,
      source,
    },
    errors,
  };
}
