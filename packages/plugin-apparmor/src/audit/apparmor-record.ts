import { defineAuditRecord, violationEvent, type ViolationEventAction } from '@armorkit/core/audit';

// A plain object, as the decoder always looked the action up (test/reference): `apparmor="constructor"` finds Object.
const ACTIONS: Record<string, ViolationEventAction> = { DENIED: 'DENIED', AUDIT: 'AUDIT', ALLOWED: 'ALLOWED' };

/** Fields AppArmor logs with audit_log_untrustedstring: hex when they hold spaces, quotes or control characters. */
const UNTRUSTED_STRINGS = ['name', 'name2', 'comm', 'profile', 'peer', 'target', 'srcname', 'namespace', 'exe', 'label', 'peer_label', 'fstype'] as const;
const NUMBERS = ['pid', 'fsuid', 'ouid', 'capability', 'protocol', 'error', 'signal_number'] as const;

/**
 * An AppArmor audit record (type=1400 / AVC, USER_AVC, APPARMOR_*), written by security/apparmor/lib.c aa_audit_msg and
 * its class's callback: `apparmor="DENIED|AUDIT|ALLOWED" operation="…" [class="…"] profile="…" name="…" pid=N …`,
 * found from its `apparmor=` with the type (`1400`, `AVC`, `APPARMOR`) before it. Every field is kept in the event,
 * in the record's order; STATUS and any other `apparmor=` value is not a violation.
 */
export const appArmorAuditRecord = defineAuditRecord({
  name: 'apparmor',
  start: { by: 'key', key: 'apparmor', mentions: ['1400', 'AVC', 'APPARMOR'] },
  grammar: { labels: false, gluedKeys: 'upper-digits', emptyKeys: true },
  fields: { apparmor: 'text' },
  // The last `apparmor=` of a (forged) record decides, as it always did.
  lastOccurrence: ['apparmor'],
  otherFields: {
    ...Object.fromEntries(UNTRUSTED_STRINGS.map((key) => [key, 'hex-or-quoted' as const])),
    ...Object.fromEntries(NUMBERS.map((key) => [key, 'integer' as const])),
  },
  event(fields, context) {
    const action = fields.apparmor === undefined ? undefined : ACTIONS[fields.apparmor];
    if (!action) return undefined;
    const event: Record<string, unknown> = fields.other;
    if (context.auditID !== undefined) {
      event.auditID = context.auditID;
      event.epoch = context.epoch;
    }
    const { profileName, childProfile } = typeof event.profile === 'string' ? context.profileOf(event.profile) : { profileName: '', childProfile: undefined };
    if (childProfile !== undefined) event.childProfile = childProfile;
    const pid = typeof event.pid === 'number' && event.pid >= 0 && event.pid <= 0xffffffff ? event.pid : 0;
    return violationEvent({
      nodeName: context.nodeName,
      pid,
      eventTimestamp: context.epoch ?? 0,
      enforcer: 'AppArmor',
      action,
      profileName,
      event,
    });
  },
});
