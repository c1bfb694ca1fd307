import type { ViolationEvent } from '@armorkit/core/audit';
import type { ParsedKubeArmorPolicy } from '../parse/parsed-policy.js';
import { type KubeArmorRule, flattenRules, whitelistClasses } from '../semantics/rules.js';
import type { KubeArmorEventMatch } from './event-match.js';
import { pathMatches } from './path-match.js';
import { type AlertSubject, alertSubject, resultOf } from './subject.js';

const INET = new Set(['AF_INET', 'AF_INET6']);

/** Does a network rule's protocol cover the socket (AppArmor's reading of `network <protocol>,`)? */
function protocolMatches(protocol: string, socket: NonNullable<AlertSubject['socket']>): boolean {
  const number = socket.protocol ?? 0;
  switch (protocol) {
    case 'all':
      return true;
    case 'tcp':
      return INET.has(socket.domain) && socket.type === 'SOCK_STREAM' && (number === 0 || number === 6);
    case 'udp':
      return INET.has(socket.domain) && socket.type === 'SOCK_DGRAM' && (number === 0 || number === 17);
    case 'icmp':
      return INET.has(socket.domain) && number === 1;
    case 'icmpv6':
      return INET.has(socket.domain) && number === 58;
    case 'sctp':
      return number === 132;
    case 'dccp':
      return number === 33;
    case 'packet':
      return socket.domain === 'AF_PACKET';
    default:
      return socket.type === `SOCK_${protocol.toUpperCase()}`;
  }
}

/** Does a syscall rule's fromSource cover the executable (a path, or a directory, recursive or not)? */
function syscallSourceMatches(sources: Extract<KubeArmorRule, { class: 'syscalls' }>['sources'], executable: string | undefined): boolean {
  if (sources.length === 0) return true;
  if (executable === undefined) return false;
  return sources.some((source) =>
    source.path !== undefined ? source.path === executable : source.dir !== undefined && pathMatches({ kind: 'dir', dir: source.dir, recursive: source.recursive }, executable),
  );
}

/** Does the rule cover what the event was about, done by `source`? */
function ruleMatches(rule: KubeArmorRule, subject: AlertSubject, source: string | undefined): boolean {
  if (rule.class !== 'syscalls' && rule.fromSource.length > 0 && (source === undefined || !rule.fromSource.includes(source))) return false;
  switch (rule.class) {
    case 'process':
      return subject.operation === 'Process' && pathMatches(rule.match, subject.resource);
    case 'file':
      return subject.operation === 'File' && pathMatches(rule.match, subject.resource);
    case 'network':
      return subject.operation === 'Network' && subject.socket !== undefined && protocolMatches(rule.protocol, subject.socket);
    case 'capabilities':
      return subject.operation === 'Capabilities' && subject.capability === rule.capability;
    case 'syscalls':
      // seccomp sees no paths: a matchPaths rule is not seccomp's, so no seccomp event is one of its.
      return subject.operation === 'Syscall' && rule.path === undefined && subject.syscall !== undefined && rule.syscalls.includes(subject.syscall) && syscallSourceMatches(rule.sources, subject.executable);
  }
}

/** The fromSource paths of a policy's AppArmor rules, made once per rule list. */
const sourcePaths = new WeakMap<readonly KubeArmorRule[], string[]>();
function sourcePathsOf(rules: readonly KubeArmorRule[]): string[] {
  let paths = sourcePaths.get(rules);
  if (!paths) sourcePaths.set(rules, (paths = [...new Set(rules.flatMap((rule) => (rule.class === 'syscalls' ? [] : rule.fromSource)))]));
  return paths;
}

/**
 * The executables an event may be about: seccomp names it (exe); in an AppArmor child profile (a fromSource one)
 * the sources whose base name is the command name (the kernel's comm: the first 15 bytes), several when the policy
 * names one binary at two paths (`/bin/bash`, `/usr/bin/bash`), the record naming only the child profile. BPF
 * events name none.
 */
function sourcesOf(event: ViolationEvent, subject: AlertSubject, rules: readonly KubeArmorRule[]): (string | undefined)[] {
  if (subject.executable !== undefined) return [subject.executable];
  if (event.enforcer !== 'AppArmor' || typeof event.event.childProfile !== 'string') return [undefined];
  const named = sourcePathsOf(rules).filter((source) => source.slice(source.lastIndexOf('/') + 1).slice(0, 15) === subject.command);
  return named.length > 0 ? named : [undefined];
}

/** The first of the candidate sources some rule covers the event for, with those rules; else the first candidate. */
function matchingRules(subject: AlertSubject, rules: readonly KubeArmorRule[], candidates: readonly (string | undefined)[]): { source: string | undefined; matching: KubeArmorRule[] } {
  for (const source of candidates) {
    const matching = rules.filter((rule) => ruleMatches(rule, subject, source));
    if (matching.length > 0) return { source, matching };
  }
  return { source: candidates[0], matching: [] };
}

/** Did the operation write (AppArmor's mask letters of KubeArmor's readOnly denials: w a c d k l; BPF's names)? */
function writes(event: ViolationEvent): boolean {
  const mask = event.event.requested_mask;
  if (typeof mask === 'string') return /[wacdkl]/.test(mask);
  const permissions = event.event.permissions;
  return Array.isArray(permissions) && permissions.some((name) => name === 'write' || name === 'append');
}

/** Is the file the caller's (AppArmor's fsuid and ouid)? Unknown counts as the caller's. */
function ownedByCaller(event: ViolationEvent): boolean {
  const { fsuid, ouid } = event.event;
  return typeof fsuid !== 'number' || typeof ouid !== 'number' || fsuid === ouid;
}

/** Does an Allow rule allow the operation it matched: its readOnly part no write, its ownerOnly part the owner only? */
function allowCovers(rule: KubeArmorRule, event: ViolationEvent): boolean {
  if (rule.class !== 'process' && rule.class !== 'file') return true;
  return !(rule.readOnly && writes(event)) && !(rule.ownerOnly && !ownedByCaller(event));
}

/** A policy's flat rules, made once per parsed policy (a log holds many events of one policy). */
const flatRules = new WeakMap<ParsedKubeArmorPolicy, KubeArmorRule[]>();
function rulesOf(policy: ParsedKubeArmorPolicy): KubeArmorRule[] {
  let rules = flatRules.get(policy);
  if (!rules) flatRules.set(policy, (rules = flattenRules(policy).rules));
  return rules;
}

/**
 * The rule of a KubeArmor policy an event of its profile is about, as KubeArmor's alert matcher finds it
 * (reference §2.3, feeder/policyMatcher.go): the first Block or Audit rule that covers the operation; else an Allow
 * rule that covers it (a denial is then its readOnly or ownerOnly part); else, in a whitelisted class or for a
 * denial, the default posture (`DefaultPosture`, no severity, tags or message: KubeArmor names an AppArmor denial no
 * rule matches so, a native `apparmor:` rule's or the base profile's); else none (a log). What an Allow rule let
 * through is a log too. Undefined for events KubeArmor has no operation for (ptrace, mount, signals).
 */
export function matchEvent(event: ViolationEvent, policy: ParsedKubeArmorPolicy): KubeArmorEventMatch | undefined {
  return matchRules(event, { rules: rulesOf(policy), host: policy.kind === 'KubeArmorHostPolicy' });
}

/** What matchRules reads: the flat rules of a policy or a merged set, and how an alert names a rule's field. */
export interface AlertRules {
  rules: readonly KubeArmorRule[];
  host: boolean;
  /** The rule's pointer as the alert shows it (a merged set's `/1/spec/...` is `/spec/...` of its policy). */
  pointerOf?: (pointer: string) => string;
}

/** matchEvent on flat rules (each naming its policy): one policy's, or those of policies merged for one container. */
export function matchRules(event: ViolationEvent, { rules, host, pointerOf = (pointer) => pointer }: AlertRules): KubeArmorEventMatch | undefined {
  const subject = alertSubject(event);
  if (!subject) return undefined;
  const { source, matching } = matchingRules(subject, rules, sourcesOf(event, subject, rules));
  const denied = event.action === 'DENIED';
  const base = {
    operation: subject.operation,
    resource: subject.resource,
    data: subject.data,
    source: source ?? subject.command,
    result: resultOf(event),
  };
  // What passed outside an Allow rule's readOnly or ownerOnly part is not that rule's: the posture let it through.
  const relevant = denied ? matching : matching.filter((one) => one.action !== 'Allow' || allowCovers(one, event));
  const rule = relevant.find((one) => one.action !== 'Allow') ?? relevant[0];
  const log: KubeArmorEventMatch = { type: host ? 'HostLog' : 'ContainerLog', policyName: '', severity: '', tags: [], message: '', action: '', pointer: '', ...base };
  // What an Allow rule let through is no alert (KubeArmor drops an Allow match that passed), a log: with posture
  // alerts the kernel logs every operation of the class, the allowed ones too.
  if (rule?.action === 'Allow' && !denied) return log;
  if (rule) {
    const action = rule.action === 'Allow' && denied ? 'Block' : rule.action;
    return {
      type: host ? 'MatchedHostPolicy' : 'MatchedPolicy',
      policyName: rule.policyName,
      severity: String(rule.severity),
      tags: [...rule.tags],
      message: rule.message,
      action,
      pointer: pointerOf(rule.pointer),
      ...base,
    };
  }
  const cls = subject.operation === 'Process' || subject.operation === 'File' ? 'file' : subject.operation === 'Network' ? 'network' : subject.operation === 'Capabilities' ? 'capabilities' : undefined;
  // A denial no rule accounts for (a native `apparmor:` rule's, the base profile's) is the posture's to KubeArmor too.
  if (cls !== undefined && (denied || whitelistClasses(rules).has(cls))) {
    // What the posture let through is an Audit alert; what it (or the base profile) denied, a Block one.
    return {
      type: host ? 'MatchedHostPolicy' : 'MatchedPolicy',
      policyName: 'DefaultPosture',
      severity: '',
      tags: [],
      message: '',
      action: denied ? 'Block' : 'Audit',
      pointer: '',
      ...base,
    };
  }
  return log;
}
