// @armorkit/plugin-kubearmor/alerts: events of KubeArmor policies as KubeArmor's alerts (`karmor logs --json`), what
// `armorkit audit --format kubearmor` writes, and the match the plugin attaches to each event (docs/kubearmor.md#alerts).
export { kubeArmorAlert, kubeArmorAlertLine, kubeArmorAlertSchema, type KubeArmorAlert } from '../alerts/alert.js';
export { kubeArmorEventMatchSchema, type KubeArmorEventMatch } from '../alerts/event-match.js';
export { matchEvent } from '../alerts/match-event.js';
export { alertSubject } from '../alerts/subject.js';
