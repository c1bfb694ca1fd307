// @armorkit/plugin-networkproxy/capture: vArmor's iptables capture rules, printed for iptables-restore or as an
// init-container script, and applied to / removed from a network namespace.
export { applyCapture, removeCapture, type CaptureOptions } from '../capture/apply.js';
export { captureScript, removalText, restoreText } from '../capture/print.js';
export { captureRuleset, type CaptureRuleset, type CaptureSettings, type IpFamily } from '../capture/ruleset.js';
