// Golden AppArmor profiles and seccomp filters of KubeArmor policies, each checked by apparmor_parser (verify).
// UPDATE_GOLDENS=1 rewrites them for review; a change in output changes them in the same commit.
import { PolicyTester } from '@armorkit/core/testing';
import apparmor from '@armorkit/plugin-apparmor';
import seccomp from '@armorkit/plugin-seccomp';
import { kubearmor } from '../src/plugin.js';
import { ksp } from './support/parse.js';

const goldens = new URL('./golden/', import.meta.url);
const audit = new PolicyTester({ plugins: [kubearmor(), apparmor(), seccomp()], goldens });
const alerts = new PolicyTester({ plugins: [kubearmor({ postureAlerts: true }), apparmor(), seccomp()], goldens });
const block = new PolicyTester({ plugins: [kubearmor({ defaultPosture: { file: 'block', network: 'block', capabilities: 'block' } }), apparmor(), seccomp()], goldens });

const blacklist =
  '  action: Block\n  process:\n    matchPaths:\n      - {path: /usr/bin/sleep}\n      - {execname: nc, ownerOnly: true}\n' +
  '  file:\n    matchDirectories:\n      - {dir: /etc/, recursive: true, readOnly: true}\n      - {dir: /root/, action: Audit}\n    matchPatterns:\n      - {pattern: "/tmp/*.sh"}\n' +
  '  network:\n    matchProtocols:\n      - {protocol: raw}\n  capabilities:\n    matchCapabilities:\n      - {capability: net_admin}\n' +
  '  syscalls:\n    matchSyscalls:\n      - syscall: [unshare, setns]\n' +
  // Native rules: their denials are printed audited (KubeArmor alerts on each), allow lines as written.
  '  apparmor: |\n    deny /var/secret/** rw,\n    audit deny /var/log/secret r,\n    deny pivot_root,\n    /var/cache/** r,\n';
const whitelist =
  '  process:\n    matchDirectories:\n      - {dir: /usr/bin/, recursive: true, action: Allow}\n    matchPaths:\n      - {path: /usr/bin/curl, action: Allow}\n' +
  '  file:\n    matchDirectories:\n      - {dir: /usr/, recursive: true, readOnly: true, action: Allow}\n      - {dir: /tmp/, recursive: true, action: Allow}\n' +
  '    matchPaths:\n      - {path: /etc/ssl/certs/ca-certificates.crt, readOnly: true, action: Allow, fromSource: [{path: /usr/bin/curl}]}\n      - {path: /etc/passwd, action: Audit}\n' +
  '  network:\n    matchProtocols:\n      - {protocol: tcp, action: Allow, fromSource: [{path: /usr/bin/curl}]}\n';

for (const [tester, posture] of [[audit, 'audit'], [block, 'block']] as const) {
  tester.run(`KubeArmor golden profiles, ${posture} posture`, {
    valid: [
      { name: 'blacklist: Block and Audit rules of every class', yaml: ksp(blacklist), golden: { AppArmor: `blacklist-${posture}.apparmor`, Seccomp: 'blacklist.seccomp.json' }, enforcers: ['AppArmor', 'Seccomp'], verify: true },
      { name: 'whitelist: Allow rules, fromSource child profile', yaml: ksp(whitelist), golden: `whitelist-${posture}.apparmor`, enforcers: ['AppArmor'], verify: true },
    ],
  });
}

alerts.run('KubeArmor golden profiles, audit posture with posture alerts', {
  valid: [
    { name: 'whitelist: the allow-all lines of whitelisted classes audited, in the child profile too', yaml: ksp(whitelist), golden: 'whitelist-audit-alerts.apparmor', enforcers: ['AppArmor'], verify: true },
  ],
});
