import { z } from 'zod';
import { enforcerSchema } from '../enforcer.js';

/** vArmor's actions: DENIED (blocked), AUDIT (allowed and logged by rule), ALLOWED (complain mode), AUDIT|ALLOWED (seccomp LOG). */
export const violationEventActionSchema = z.enum(['DENIED', 'AUDIT', 'ALLOWED', 'AUDIT|ALLOWED']);
export type ViolationEventAction = z.infer<typeof violationEventActionSchema>;

const uint32 = z.number().int().min(0).max(0xffffffff);

/**
 * Dialect → what that dialect adds to an event of one of its policies (`dialectEvent.kubearmor`: the rule that
 * matched, its severity, tags, message and action). Empty in core; a dialect plugin adds its entry by declaration
 * merging and fills it in the engine's `attribute` hook, so readers get it typed, with no cast:
 *
 *   declare module '@armorkit/core/audit' { interface DialectEventMap { kubearmor: KubeArmorEventMatch } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by dialect plugins through declaration merging
export interface DialectEventMap {}

const isRecord = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One violation, whatever reported it (AppArmor, seccomp, BPF ring buffer, proxy). Field names and order are those of
 * vArmor's /var/log/varmor/violations.log (reference §7.3), so existing log pipelines keep working.
 */
export const violationEventSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).default({}),
  nodeName: z.string().default(''),
  podUID: z.string().default(''),
  podName: z.string().default(''),
  podNamespace: z.string().default(''),
  containerID: z.string().default(''),
  containerName: z.string().default(''),
  image: z.string().default(''),
  pid: uint32.default(0),
  mntNsID: uint32.default(0),
  /** Unix seconds. */
  eventTimestamp: z.number().int().min(0),
  enforcer: enforcerSchema,
  action: violationEventActionSchema,
  profileName: z.string().default(''),
  policyKind: z.string().default(''),
  policyName: z.string().default(''),
  policyNamespace: z.string().default(''),
  /** Enforcer-specific detail (AppArmor record fields, seccomp syscall, BPF operation, ...). */
  event: z.record(z.string(), z.unknown()).default({}),
  /** What the policy's dialect says of the event (set by the engine's `attribute` hook; absent for vArmor policies). */
  dialectEvent: z.custom<Partial<DialectEventMap>>(isRecord, 'an object keyed by dialect').optional(),
});
export type ViolationEvent = z.infer<typeof violationEventSchema>;
export type ViolationEventInput = z.input<typeof violationEventSchema>;

/**
 * Fills vArmor's defaults, in vArmor's field order. Sources (our own decoders, typed by TypeScript) build events
 * through it on the hot path of a log tailer, so it does not re-validate: use `violationEventSchema` for untrusted input.
 */
export function violationEvent(input: ViolationEventInput): ViolationEvent {
  return {
    metadata: input.metadata ?? {},
    nodeName: input.nodeName ?? '',
    podUID: input.podUID ?? '',
    podName: input.podName ?? '',
    podNamespace: input.podNamespace ?? '',
    containerID: input.containerID ?? '',
    containerName: input.containerName ?? '',
    image: input.image ?? '',
    pid: input.pid ?? 0,
    mntNsID: input.mntNsID ?? 0,
    eventTimestamp: input.eventTimestamp,
    enforcer: input.enforcer,
    action: input.action,
    profileName: input.profileName ?? '',
    policyKind: input.policyKind ?? '',
    policyName: input.policyName ?? '',
    policyNamespace: input.policyNamespace ?? '',
    event: input.event ?? {},
  };
}

/**
 * The profile name an AppArmor `profile=` or seccomp `subj=` label carries: text before the first `//` (child
 * profile) and before a mode suffix such as ` (enforce)`. `unconfined` and `?` mean none.
 */
export function profileNameFromLabel(label: string | undefined): { profileName: string; childProfile?: string } {
  if (!label) return { profileName: '' };
  const bare = label.replace(/\s*\((enforce|complain|kill|unconfined|prompt)\)\s*$/, '').trim();
  if (bare === '' || bare === '?' || bare === 'unconfined') return { profileName: '' };
  const [profileName = '', ...child] = bare.split('//');
  return child.length > 0 ? { profileName, childProfile: child.join('//') } : { profileName };
}
