/** One thing a confined process tries, and what the policy should make of it. */
export interface DemoScenario {
  enforcer: 'AppArmor' | 'Seccomp' | 'BPF';
  /** Policy file, relative to the repository root. */
  policy: string;
  /** What the process tries, for people. */
  attempt: string;
  command: string[];
  expected: 'allowed' | 'denied';
}

// The example policies enforced on real processes. Each forbidden action sits next to an allowed one, so the table
// shows the policy is selective, not just broken.
export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  { enforcer: 'AppArmor', policy: 'examples/policies/web-frontend-apparmor.yaml', attempt: 'read /etc/os-release', command: ['cat', '/etc/os-release'], expected: 'allowed' },
  { enforcer: 'AppArmor', policy: 'examples/policies/web-frontend-apparmor.yaml', attempt: 'read /etc/hostname (raw rule)', command: ['cat', '/etc/hostname'], expected: 'denied' },
  { enforcer: 'AppArmor', policy: 'examples/policies/web-frontend-apparmor.yaml', attempt: 'read the service-account token (mitigate-sa-leak)', command: ['cat', '/run/secrets/kubernetes.io/serviceaccount/token'], expected: 'denied' },
  { enforcer: 'AppArmor', policy: 'examples/policies/web-frontend-apparmor.yaml', attempt: 'write under /etc (disable-write-etc)', command: ['sh', '-c', 'echo pwned >> /etc/motd'], expected: 'denied' },
  { enforcer: 'AppArmor', policy: 'examples/policies/web-frontend-apparmor.yaml', attempt: 'start a shell from the app (disable-shell)', command: ['env', 'sh', '-c', 'true'], expected: 'denied' },
  { enforcer: 'AppArmor', policy: 'examples/policies/web-frontend-apparmor.yaml', attempt: 'open a raw socket (disable-cap-net-raw)', command: ['/usr/bin/python3', '-c', 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)'], expected: 'denied' },
  { enforcer: 'AppArmor', policy: 'examples/policies/legacy-app-runtime-default.yaml', attempt: 'mount a tmpfs (RuntimeDefault)', command: ['mount', '-t', 'tmpfs', 'none', '/mnt'], expected: 'denied' },
  // A KubeArmor policy (KubeArmorPolicy) beside the vArmor ones: its AppArmor profile is KubeArmor's posture with the rules.
  { enforcer: 'AppArmor', policy: 'examples/policies/kubearmor-web-hardening.yaml', attempt: 'KubeArmor: read /etc/os-release', command: ['cat', '/etc/os-release'], expected: 'allowed' },
  { enforcer: 'AppArmor', policy: 'examples/policies/kubearmor-web-hardening.yaml', attempt: 'KubeArmor: read /etc/hostname (file.matchPaths Block)', command: ['cat', '/etc/hostname'], expected: 'denied' },
  { enforcer: 'AppArmor', policy: 'examples/policies/kubearmor-web-hardening.yaml', attempt: 'KubeArmor: write under /etc (readOnly directory)', command: ['sh', '-c', 'echo pwned >> /etc/motd'], expected: 'denied' },
  { enforcer: 'AppArmor', policy: 'examples/policies/kubearmor-web-hardening.yaml', attempt: 'KubeArmor: run curl (process.matchPaths Block)', command: ['sh', '-c', 'curl --version'], expected: 'denied' },
  { enforcer: 'BPF', policy: 'examples/policies/ci-runner-bpf.yaml', attempt: 'read /etc/os-release', command: ['cat', '/etc/os-release'], expected: 'allowed' },
  { enforcer: 'BPF', policy: 'examples/policies/ci-runner-bpf.yaml', attempt: 'read /etc/hostname (raw file rule)', command: ['cat', '/etc/hostname'], expected: 'denied' },
  { enforcer: 'BPF', policy: 'examples/policies/ci-runner-bpf.yaml', attempt: 'read the service-account token (mitigate-sa-leak)', command: ['cat', '/run/secrets/kubernetes.io/serviceaccount/token'], expected: 'denied' },
  { enforcer: 'BPF', policy: 'examples/policies/ci-runner-bpf.yaml', attempt: 'write under /etc (disable-write-etc)', command: ['sh', '-c', 'echo pwned >> /etc/motd'], expected: 'denied' },
  { enforcer: 'BPF', policy: 'examples/policies/ci-runner-bpf.yaml', attempt: 'run curl (disable-curl)', command: ['sh', '-c', 'curl --version'], expected: 'denied' },
  { enforcer: 'BPF', policy: 'examples/policies/ci-runner-bpf.yaml', attempt: 'open a raw socket (disable-cap-net-raw)', command: ['/usr/bin/python3', '-c', 'import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)'], expected: 'denied' },
  { enforcer: 'BPF', policy: 'examples/policies/ci-runner-bpf.yaml', attempt: 'mount a tmpfs (RuntimeDefault base)', command: ['mount', '-t', 'tmpfs', 'none', '/mnt'], expected: 'denied' },
  { enforcer: 'Seccomp', policy: 'examples/policies/batch-worker-seccomp.yaml', attempt: 'chmod 644 a file', command: ['chmod', '644', '/tmp/armorkit-demo-file'], expected: 'allowed' },
  { enforcer: 'Seccomp', policy: 'examples/policies/batch-worker-seccomp.yaml', attempt: 'chmod +x a file (disable-chmod-x-bit)', command: ['chmod', '+x', '/tmp/armorkit-demo-file'], expected: 'denied' },
  { enforcer: 'Seccomp', policy: 'examples/policies/batch-worker-seccomp.yaml', attempt: 'create a user namespace (disallow-create-user-ns)', command: ['unshare', '-U', 'true'], expected: 'denied' },
  { enforcer: 'Seccomp', policy: 'examples/policies/kubearmor-web-hardening.yaml', attempt: 'KubeArmor: create a user namespace (syscalls Block → seccomp)', command: ['unshare', '-U', 'true'], expected: 'denied' },
  { enforcer: 'Seccomp', policy: 'examples/policies/observe-first.yaml', attempt: 'chmod u+s in observation mode (logged, allowed)', command: ['chmod', 'u+s', '/tmp/armorkit-demo-file'], expected: 'allowed' },
];
