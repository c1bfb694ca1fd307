import type { ParsedKubeArmorPolicy } from '../parse/parsed-policy.js';
import type { KubeArmorAction } from '../schema/leaf-types.js';

/** The resource classes of KubeArmor; process and file share one whitelist posture (reference §2.1). */
export type ResourceClass = 'process' | 'file' | 'network' | 'capabilities' | 'syscalls';

/** What a process or file rule matches. */
export type PathMatch =
  | { kind: 'path'; path: string }
  | { kind: 'dir'; dir: string; recursive: boolean }
  | { kind: 'pattern'; pattern: string }
  | { kind: 'execname'; name: string };

/** What every rule carries for enforcement and alerts (inherited by the parse step: rule → section → spec). */
export interface RuleMeta {
  policyName: string;
  action: KubeArmorAction;
  severity: number;
  tags: string[];
  message: string;
  /** JSON pointer of the rule (`/spec/file/matchPaths/0`). */
  pointer: string;
  /** Executables the rule is limited to (fromSource paths), sorted; empty: every process. */
  fromSource: string[];
}

export type PathRule = RuleMeta & { class: 'process' | 'file'; match: PathMatch; ownerOnly: boolean; readOnly: boolean };
export type NetworkRule = RuleMeta & { class: 'network'; protocol: string };
export type CapabilityRule = RuleMeta & { class: 'capabilities'; capability: string };
export type SyscallRule = RuleMeta & {
  class: 'syscalls';
  syscalls: string[];
  /** matchPaths: the syscalls only on this path (a directory ends with `/`). */
  path?: { path: string; recursive: boolean };
  /** As written: syscall sources may be directories, which fromSource of other classes cannot. */
  sources: { path?: string; dir?: string; recursive: boolean }[];
};
export type KubeArmorRule = PathRule | NetworkRule | CapabilityRule | SyscallRule;

/** A field the semantics refuse or ignore, with why. */
export interface FieldNote {
  pointer: string;
  message: string;
  value?: unknown;
}

export interface FlatRules {
  rules: KubeArmorRule[];
  /** Fields no enforcer of armorkit can enforce: the policy is refused. */
  refused: FieldNote[];
  /** Fields KubeArmor itself ignores and so do we, said aloud. */
  ignored: FieldNote[];
}

const sorted = (list: readonly string[]) => [...new Set(list)].sort();

/**
 * A parsed policy's rules as one flat list in KubeArmor's processing order (process, file, network, capabilities,
 * syscalls), and the fields that cannot be enforced (refused) or that KubeArmor ignores (ignored).
 */
export function flattenRules(policy: ParsedKubeArmorPolicy): FlatRules {
  const { rules: parsed } = policy;
  const rules: KubeArmorRule[] = [];
  const refused: FieldNote[] = [];
  const ignored: FieldNote[] = [];
  const host = policy.kind === 'KubeArmorHostPolicy';
  const meta = (rule: { action: KubeArmorAction; severity: number; tags: string[]; message: string; pointer: string }, fromSource: readonly string[] = []): RuleMeta => ({
    policyName: policy.name,
    action: rule.action,
    severity: rule.severity,
    tags: [...rule.tags],
    message: rule.message,
    pointer: rule.pointer,
    fromSource: sorted(fromSource),
  });
  const add = (rule: KubeArmorRule) => {
    // Host policies: "to use the Allow action, you should define fromSource; otherwise all Allow actions will be
    // ignored" (reference §1.5).
    if (host && rule.action === 'Allow' && rule.fromSource.length === 0) {
      ignored.push({ pointer: rule.pointer, message: 'a host policy ignores Allow rules without fromSource, as KubeArmor does' });
      return;
    }
    rules.push(rule);
  };
  const refusePts = (pts: boolean | undefined, pointer: string) => {
    // pts: false limits a rule to processes with a terminal; no enforcer of armorkit sees the terminal.
    if (pts === false) refused.push({ pointer: `${pointer}/pts`, message: 'pts: false (only processes with a terminal) cannot be enforced: no armorkit enforcer sees the controlling terminal', value: false });
  };

  for (const rule of parsed.process.paths) {
    refusePts(rule.pts, rule.pointer);
    if (rule.allowedArgs.length > 0) {
      refused.push({ pointer: `${rule.pointer}/allowedArgs`, message: 'allowedArgs cannot be enforced: no armorkit enforcer checks the arguments of an exec', value: rule.allowedArgs });
    }
    const match: PathMatch | undefined = rule.path !== undefined ? { kind: 'path', path: rule.path } : rule.execname !== undefined ? { kind: 'execname', name: rule.execname } : undefined;
    if (match) add({ class: 'process', match, ownerOnly: rule.ownerOnly, readOnly: false, ...meta(rule, rule.fromSource) });
  }
  for (const rule of parsed.process.directories) {
    refusePts(rule.pts, rule.pointer);
    add({ class: 'process', match: { kind: 'dir', dir: rule.dir, recursive: rule.recursive }, ownerOnly: rule.ownerOnly, readOnly: false, ...meta(rule, rule.fromSource) });
  }
  for (const rule of parsed.process.patterns) {
    add({ class: 'process', match: { kind: 'pattern', pattern: rule.pattern }, ownerOnly: rule.ownerOnly, readOnly: false, ...meta(rule) });
  }
  for (const rule of parsed.file.paths) {
    refusePts(rule.pts, rule.pointer);
    add({ class: 'file', match: { kind: 'path', path: rule.path }, ownerOnly: rule.ownerOnly, readOnly: rule.readOnly, ...meta(rule, rule.fromSource) });
  }
  for (const rule of parsed.file.directories) {
    refusePts(rule.pts, rule.pointer);
    add({ class: 'file', match: { kind: 'dir', dir: rule.dir, recursive: rule.recursive }, ownerOnly: rule.ownerOnly, readOnly: rule.readOnly, ...meta(rule, rule.fromSource) });
  }
  for (const rule of parsed.file.patterns) {
    add({ class: 'file', match: { kind: 'pattern', pattern: rule.pattern }, ownerOnly: rule.ownerOnly, readOnly: rule.readOnly, ...meta(rule) });
  }
  for (const rule of parsed.network.protocols) {
    refusePts(rule.pts, rule.pointer);
    add({ class: 'network', protocol: rule.protocol, ...meta(rule, rule.fromSource) });
  }
  for (const rule of parsed.network.dnsQueries) {
    refused.push({
      pointer: rule.pointer,
      message: 'matchDNSQueries cannot be enforced: armorkit\'s BPF enforcer does not read DNS queries (a vArmor policy with the NetworkProxy enforcer can filter by name)',
      value: rule.domain,
    });
  }
  for (const rule of parsed.capabilities) add({ class: 'capabilities', capability: rule.capability, ...meta(rule, rule.fromSource) });

  // KubeArmor only audits syscalls (no action at any syscall level); armorkit blocks them when spec.action says Block.
  const syscallAction: KubeArmorAction = policy.policy.spec?.action === 'Block' ? 'Block' : 'Audit';
  const syscallSources = (list: readonly { path?: string | undefined; dir?: string | undefined; recursive?: boolean | undefined }[]) =>
    list.map((source) => ({ ...(source.path !== undefined ? { path: source.path } : {}), ...(source.dir !== undefined ? { dir: source.dir } : {}), recursive: source.recursive ?? false }));
  for (const rule of parsed.syscalls.syscalls) {
    rules.push({ class: 'syscalls', syscalls: sorted(rule.syscalls), sources: syscallSources(rule.fromSource), ...meta({ ...rule, action: syscallAction }) });
  }
  for (const rule of parsed.syscalls.paths) {
    rules.push({
      class: 'syscalls',
      syscalls: sorted(rule.syscalls),
      ...(rule.path !== undefined ? { path: { path: rule.path, recursive: rule.recursive } } : {}),
      sources: syscallSources(rule.fromSource),
      ...meta({ ...rule, action: syscallAction }),
    });
  }

  for (const preset of parsed.presets) {
    refused.push({
      pointer: preset.pointer,
      message: `preset ${JSON.stringify(preset.name)} is one of KubeArmor's own BPF-LSM programs; armorkit has no equivalent, so it is refused rather than ignored`,
      value: preset.name,
    });
  }
  for (const device of parsed.device) {
    refused.push({ pointer: device.pointer, message: 'device rules (USB devices) cannot be enforced: armorkit has no device enforcer', value: device.class });
  }
  return { rules, refused, ignored };
}

/** The class that shares a posture: process and file together, network, capabilities (syscalls have none). */
export type PostureClass = 'file' | 'network' | 'capabilities';

export function postureClassOf(rule: KubeArmorRule): PostureClass | undefined {
  switch (rule.class) {
    case 'process':
    case 'file':
      return 'file';
    case 'network':
      return 'network';
    case 'capabilities':
      return 'capabilities';
    case 'syscalls':
      return undefined;
  }
}

/** The classes in whitelist mode: those with any Allow rule, with or without fromSource (reference §2.1, §2.2). */
export function whitelistClasses(rules: readonly KubeArmorRule[]): Set<PostureClass> {
  const classes = new Set<PostureClass>();
  for (const rule of rules) {
    const cls = postureClassOf(rule);
    if (cls && rule.action === 'Allow') classes.add(cls);
  }
  return classes;
}
