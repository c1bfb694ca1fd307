import { POSTURE_CLASSES, type PostureClass as ProfileClass } from '@armorkit/core';
import type { Posture, Postures } from './posture.js';
import { directoryCovers, entityKey, matchText } from './keys.js';
import { type FieldNote, type KubeArmorRule, type PathRule, type PostureClass, postureClassOf, whitelistClasses } from './rules.js';

/**
 * Which allow-all lines a profile keeps: a class in whitelist mode with the block posture loses its line; with
 * posture alerts, one under the audit posture keeps it audited (`audited`).
 */
export interface AppArmorHeader {
  file: boolean;
  network: boolean;
  capability: boolean;
  audited?: ProfileClass[];
}

/** The profile's names of KubeArmor's posture classes (`capability` for `capabilities`). */
const PROFILE_CLASS: Record<PostureClass, ProfileClass> = { file: 'file', network: 'network', capabilities: 'capability' };

/** AppArmor rule lines made from one KubeArmor rule, and the rule's pointer. */
export interface AppArmorLines {
  rules: string;
  pointer: string;
}

export interface AppArmorTranslation {
  header: AppArmorHeader;
  /** Lines of the container's profile. */
  global: AppArmorLines[];
  /** One child profile per fromSource executable: its allow-all lines, the global rules it does not override, its own. */
  sources: { source: string; lines: AppArmorLines[] }[];
  /** Rules AppArmor cannot enforce exactly. */
  problems: FieldNote[];
  /** Exact enforcement, but alerts differ from KubeArmor's (audit posture). */
  notes: FieldNote[];
}

// What a quoted AppArmor path may hold in armorkit's grammar: printable ASCII without `"` and `\` (no escapes).
const QUOTABLE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;
// A target of a child profile must be one plain path (core's executablePathSchema).
const EXECUTABLE = /^\/[A-Za-z0-9._+@%=:~/*?-]*$/;
const NEEDS_QUOTES = /[\s,#"]/;

/** A path or glob as one AppArmor token, or why it cannot be one. */
function token(text: string, kind: PathRule['match']['kind']): { text: string } | { problem: string } {
  if (!text.startsWith('/')) return { problem: `${JSON.stringify(text)} is not absolute; AppArmor matches absolute paths only` };
  // KubeArmor's alert matcher tests patterns against a command line; AppArmor matches the executable's path only.
  if (/\s/.test(text) && kind === 'pattern') return { problem: `${JSON.stringify(text)} has white space: it reads like a command line, and AppArmor matches the executable's path only` };
  if (!QUOTABLE.test(text)) return { problem: `${JSON.stringify(text)} holds a quote, a backslash or a non-printable character, which an AppArmor profile cannot carry` };
  return { text: NEEDS_QUOTES.test(text) ? `"${text}"` : text };
}

const FILE_ALL = 'klmrw';
const FILE_READ = 'klr';
const FILE_WRITE = 'klw';

/**
 * The AppArmor paths of a rule. KubeArmor writes a directory as `<dir>{,*}` (the directory and its direct children)
 * or `<dir>{,**}` (and everything below); armorkit's grammar has no empty alternative, so it is two paths.
 */
function pathTokens(rule: PathRule): string[] | { problem: string } {
  const text = matchText(rule.match);
  const texts = rule.match.kind === 'dir' ? [text, `${text}${rule.match.recursive ? '**' : '*'}`] : [text];
  const tokens: string[] = [];
  for (const one of texts) {
    const made = token(one, rule.match.kind);
    if ('problem' in made) return made;
    tokens.push(made.text);
  }
  return tokens;
}

/**
 * Lines for one process or file rule (reference §3.3 table, with the fixes listed in docs/kubearmor.md):
 * Block → `audit deny` (KubeArmor alerts on every block); Allow → an allow line; Audit → an `audit` allow line,
 * or `audit deny` when the class is whitelisted under block posture and no Allow rule covers it (the posture denies).
 */
function pathLines(rule: PathRule, auditDenies: boolean): string[] | { problem: string } {
  const tokens = pathTokens(rule);
  if ('problem' in tokens) return tokens;
  return tokens.flatMap((p) => linesForPath(rule, p, auditDenies));
}

function linesForPath(rule: PathRule, p: string, auditDenies: boolean): string[] {
  const owner = rule.ownerOnly ? 'owner ' : '';
  if (rule.class === 'process') {
    switch (rule.action) {
      case 'Block':
        return rule.ownerOnly ? [`owner ${p} ix,`, `audit deny other ${p} x,`] : [`audit deny ${p} x,`];
      case 'Allow':
        return [`${owner}${p} ix,`];
      case 'Audit':
        return auditDenies ? [`audit deny ${owner}${p} x,`] : [`audit ${owner}${p} ix,`];
    }
  }
  const { ownerOnly, readOnly } = rule;
  switch (rule.action) {
    case 'Block':
      if (readOnly && ownerOnly) return [`audit deny owner ${p} ${FILE_WRITE},`, `audit deny other ${p} ${FILE_ALL},`];
      if (ownerOnly) return [`owner ${p} ${FILE_ALL},`, `audit deny other ${p} ${FILE_ALL},`];
      if (readOnly) return [`audit deny ${p} ${FILE_WRITE},`];
      return [`audit deny ${p} ${FILE_ALL},`];
    case 'Allow':
      return [`${owner}${p} ${readOnly ? FILE_READ : FILE_ALL},`];
    case 'Audit':
      // An Audit readOnly rule reports writes only (KubeArmor's matcher skips reads for readOnly rules).
      return [`audit ${auditDenies ? 'deny ' : ''}${owner}${p} ${readOnly ? FILE_WRITE : FILE_ALL},`];
  }
}

const NETWORK_TYPES = new Set(['stream', 'dgram', 'seqpacket', 'rdm', 'raw', 'packet']);
const NETWORK_PROTOCOLS = new Set(['tcp', 'udp', 'icmp']);

function networkLines(protocol: string, action: KubeArmorRule['action'], auditDenies: boolean): string[] | { problem: string } {
  let what: string;
  if (protocol === 'all') what = '';
  else if (NETWORK_TYPES.has(protocol) || NETWORK_PROTOCOLS.has(protocol)) what = ` ${protocol}`;
  else if (protocol === 'icmpv6') return { problem: 'AppArmor has no ICMPv6 protocol name (KubeArmor writes icmp, which does not match ICMPv6 sockets)' };
  else return { problem: `AppArmor network rules know no ${JSON.stringify(protocol)} (types stream, dgram, seqpacket, rdm, raw, packet; protocols tcp, udp, icmp)` };
  switch (action) {
    case 'Block':
      return [`audit deny network${what},`];
    case 'Allow':
      return [`network${what},`];
    case 'Audit':
      return [`audit ${auditDenies ? 'deny ' : ''}network${what},`];
  }
}

function capabilityLines(capability: string, action: KubeArmorRule['action'], auditDenies: boolean): string[] {
  switch (action) {
    case 'Block':
      return [`audit deny capability ${capability},`];
    case 'Allow':
      return [`capability ${capability},`];
    case 'Audit':
      return [`audit ${auditDenies ? 'deny ' : ''}capability ${capability},`];
  }
}

/** Whether an Allow rule of `rules` covers `rule` (same entity, a directory above it, or protocol `all`). */
function allowCovers(rules: readonly KubeArmorRule[], rule: KubeArmorRule): boolean {
  const key = entityKey(rule);
  return rules.some(
    (other) =>
      other.action === 'Allow' &&
      (entityKey(other) === key ||
        (other.class === 'network' && other.protocol === 'all' && rule.class === 'network') ||
        ((other.class === 'process' || other.class === 'file') && (rule.class === 'process' || rule.class === 'file') && directoryCovers(other, rule))),
  );
}

function headerFor(whitelisted: ReadonlySet<PostureClass>, postures: Postures, postureAlerts: boolean): AppArmorHeader {
  const keeps = (cls: PostureClass) => !(whitelisted.has(cls) && postures[cls] === 'block');
  const audited = postureAlerts ? [...whitelisted].filter((cls) => postures[cls] === 'audit').map((cls) => PROFILE_CLASS[cls]).sort() : [];
  return { file: keeps('file'), network: keeps('network'), capability: keeps('capabilities'), ...(audited.length > 0 ? { audited } : {}) };
}

/** The allow-all lines a header keeps (`file,`, or `audit file,` when audited), in the order of the classes. */
function allowAllLines(header: AppArmorHeader): string[] {
  const line = (cls: ProfileClass) => `${header.audited?.includes(cls) ? 'audit ' : ''}${cls},`;
  return POSTURE_CLASSES.filter((cls) => header[cls]).map(line);
}

/** Does the rule override (replace) a global rule inside a child profile: same entity, or a child directory above it. */
function overrides(local: readonly KubeArmorRule[], global: KubeArmorRule): boolean {
  const key = entityKey(global);
  return local.some((rule) => entityKey(rule) === key || ((rule.class === 'process' || rule.class === 'file') && (global.class === 'process' || global.class === 'file') && directoryCovers(rule, global)));
}

/**
 * KubeArmor's AppArmor translation (reference §3) of the rules of one container: the profile's allow-all lines
 * (whitelist and posture), its rule lines, and one child profile per fromSource executable. Syscall rules are not
 * AppArmor's (seccomp enforces them).
 */
export function appArmorTranslation(
  rules: readonly KubeArmorRule[],
  postures: Postures,
  nativeRules: readonly { text: string; pointer: string }[] = [],
  postureAlerts = false,
): AppArmorTranslation {
  const problems: FieldNote[] = [];
  const notes: FieldNote[] = [];
  const own = rules.filter((rule) => rule.class !== 'syscalls');
  const globalRules = own.filter((rule) => rule.fromSource.length === 0);
  const sourcePaths = [...new Set(own.flatMap((rule) => rule.fromSource))].sort();
  const whitelisted = whitelistClasses(own);
  const header = headerFor(whitelisted, postures, postureAlerts);

  for (const cls of whitelisted) {
    if (postures[cls] !== 'audit' || postureAlerts) continue;
    const first = own.find((rule) => rule.action === 'Allow' && postureClassOf(rule) === cls);
    if (first) {
      notes.push({
        pointer: first.pointer,
        message: `with the audit posture, ${cls === 'file' ? 'process and file' : cls} operations outside the Allow rules pass without an AppArmor event (AppArmor cannot log them without logging the allowed ones too); KubeArmor reports them as DefaultPosture Audit alerts (the kubearmor plugin's postureAlerts option makes AppArmor log every such operation, the allowed ones too)`,
      });
    }
  }

  /** Lines for `rule` in a profile whose rules are `scope` and whose posture for the rule's class is `posture`. */
  const linesFor = (rule: KubeArmorRule, scope: readonly KubeArmorRule[], whitelist: ReadonlySet<PostureClass>): string[] | undefined => {
    const cls = postureClassOf(rule);
    const posture: Posture | undefined = cls ? postures[cls] : undefined;
    const auditDenies = rule.action === 'Audit' && cls !== undefined && whitelist.has(cls) && posture === 'block' && !allowCovers(scope, rule);
    let made: string[] | { problem: string };
    switch (rule.class) {
      case 'process':
      case 'file':
        made = pathLines(rule, auditDenies);
        break;
      case 'network':
        made = networkLines(rule.protocol, rule.action, auditDenies);
        break;
      case 'capabilities':
        made = capabilityLines(rule.capability, rule.action, auditDenies);
        break;
      case 'syscalls':
        return undefined;
    }
    if ('problem' in made) {
      problems.push({ pointer: rule.pointer, message: made.problem });
      return undefined;
    }
    return made;
  };
  const collect = (list: readonly KubeArmorRule[], scope: readonly KubeArmorRule[], whitelist: ReadonlySet<PostureClass>, skip: (rule: KubeArmorRule) => boolean) => {
    const out: AppArmorLines[] = [];
    for (const rule of list) {
      if (skip(rule)) continue;
      const lines = linesFor(rule, scope, whitelist);
      if (lines) out.push({ rules: lines.join('\n'), pointer: rule.pointer });
    }
    return out;
  };

  // An allowed exec of a fromSource executable is its transition into the child profile (KubeArmor drops the rule too).
  const isSourceExec = (rule: KubeArmorRule) => rule.class === 'process' && rule.action !== 'Block' && rule.match.kind === 'path' && sourcePaths.includes(rule.match.path);
  const global = collect(globalRules, globalRules, whitelisted, isSourceExec);
  for (const native of nativeRules) if (native.text.trim() !== '') global.push({ rules: native.text, pointer: native.pointer });

  for (const source of sourcePaths) {
    const at = own.find((rule) => rule.fromSource.includes(source));
    if (!EXECUTABLE.test(source) && at) problems.push({ pointer: `${at.pointer}/fromSource`, message: `fromSource ${JSON.stringify(source)} cannot name an AppArmor child profile's executable (letters, digits and . _ - + @ % = : ~ / only)` });
  }
  const sources = sourcePaths.map((source) => {
    const local = own.filter((rule) => rule.fromSource.includes(source));
    const scope = [...local, ...globalRules.filter((rule) => !overrides(local, rule))];
    const localWhitelist = whitelistClasses(local);
    const childHeader = headerFor(localWhitelist, postures, postureAlerts);
    const lines: AppArmorLines[] = [];
    // A child profile starts from nothing: the allow-all lines its posture keeps, and unix sockets, which KubeArmor
    // does not mediate.
    const allowAll = [...allowAllLines(childHeader), 'unix,'];
    lines.push({ rules: allowAll.join('\n'), pointer: `${local[0]?.pointer ?? ''}/fromSource` });
    // Global rules first (those the child does not override), then the child's own, as KubeArmor merges them (§3.4).
    lines.push(...collect(globalRules.filter((rule) => !overrides(local, rule)), scope, localWhitelist, () => false));
    lines.push(...collect(local, scope, localWhitelist, () => false));
    return { source, lines };
  });
  return { header, global, sources, problems, notes };
}
