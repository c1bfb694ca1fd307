import { defineRule, type RuleDefinition } from '@armorkit/core';
import { READ_WRITE_APPEND, bpfFiles, rule } from './fragments.js';

// Attack protection: network families and protocols, the API server and container runtime sockets (reference §1.2.3).
const category = 'network';
const section = 'attackProtection';
const both = ['AppArmor', 'BPF'] as const;

function denyNetwork(
  id: string,
  description: string,
  appArmor: string,
  socket: { domains?: string[]; protocols?: string[] },
  aliases: string[] = [],
): RuleDefinition {
  return defineRule(
    { id, aliases, section, category, enforcers: [...both], description },
    { apparmor: { lines: [rule(appArmor)] }, bpf: { sockets: [socket] } },
  );
}

export const networkRules: RuleDefinition[] = [
  denyNetwork('disable-network', 'Forbid creating sockets of any family.', 'network,', { domains: ['all'] }),
  denyNetwork('disable-inet', 'Forbid creating IPv4 sockets.', 'network inet,', { domains: ['inet'] }, ['disable-ipv4']),
  denyNetwork('disable-inet6', 'Forbid creating IPv6 sockets.', 'network inet6,', { domains: ['inet6'] }, ['disable-ipv6']),
  denyNetwork('disable-unix-domain-socket', 'Forbid creating Unix domain sockets.', 'network unix,', { domains: ['unix'] }),
  denyNetwork('disable-icmp', 'Forbid creating ICMP and ICMPv6 sockets.', 'network icmp,', { protocols: ['icmp'] }),
  denyNetwork('disable-tcp', 'Forbid creating TCP sockets.', 'network tcp,', { protocols: ['tcp'] }),
  denyNetwork('disable-udp', 'Forbid creating UDP sockets.', 'network udp,', { protocols: ['udp'] }),
  defineRule(
    {
      id: 'block-access-to-kube-apiserver',
      section,
      category,
      enforcers: ['BPF'],
      description: 'Forbid connecting to the Kubernetes API server (Service default/kubernetes and its endpoints).',
    },
    { bpf: { services: [{ namespace: 'default', name: 'kubernetes' }] } },
  ),
  defineRule(
    {
      id: 'block-access-to-container-runtime',
      section,
      category,
      enforcers: [...both],
      description: 'Forbid reaching the containerd, Docker and CRI-O sockets.',
    },
    {
      apparmor: { lines: [rule('/**/containerd.sock rw,'), rule('/**/docker.sock rw,'), rule('/**/crio.sock rw,')] },
      bpf: { files: bpfFiles(READ_WRITE_APPEND, '/**/containerd.sock', '/**/docker.sock', '/**/crio.sock') },
    },
  ),
];
