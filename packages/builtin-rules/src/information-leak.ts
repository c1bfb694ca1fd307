import { defineRule, type RuleDefinition } from '@armorkit/core';
import { READ, bpfFiles, rule } from './fragments.js';

// Attack protection: information that helps an attacker leave the container (reference §1.2.1).
const category = 'information-leak';
const section = 'attackProtection';
const both = ['AppArmor', 'BPF'] as const;

const AWS_METADATA = ['169.254.169.254', 'fd00:ec2::254'];
const VOLC_METADATA = ['100.96.0.96'];

const blockAddresses = (addresses: readonly string[]) => ({ bpf: { egress: addresses.map((ip) => ({ ip })) } });

export const informationLeakRules: RuleDefinition[] = [
  defineRule(
    {
      id: 'mitigate-sa-leak',
      section,
      category,
      enforcers: [...both],
      description: 'Forbid reading the mounted Kubernetes service-account token and certificate.',
    },
    {
      apparmor: {
        lines: [rule('/run/secrets/kubernetes.io/serviceaccount/** r,'), rule('/var/run/secrets/kubernetes.io/serviceaccount/** r,')],
      },
      bpf: {
        files: bpfFiles(READ, '/run/secrets/kubernetes.io/serviceaccount/**', '/var/run/secrets/kubernetes.io/serviceaccount/**'),
      },
    },
  ),
  defineRule(
    {
      id: 'mitigate-disk-device-number-leak',
      section,
      category,
      enforcers: [...both],
      description: 'Forbid reading /proc/partitions and mountinfo, which reveal the host disk device numbers.',
    },
    {
      apparmor: { lines: [rule('/proc/partitions r,'), rule('/proc/**/mountinfo r,')] },
      bpf: { files: bpfFiles(READ, '/proc/partitions', '/proc/**/mountinfo') },
    },
  ),
  defineRule(
    {
      id: 'mitigate-overlayfs-leak',
      section,
      category,
      enforcers: [...both],
      description: "Forbid reading mounts and mountinfo, which reveal the container's overlayfs path on the host.",
    },
    {
      apparmor: { lines: [rule('/proc/**/mounts r,'), rule('/proc/**/mountinfo r,')] },
      bpf: { files: bpfFiles(READ, '/proc/**/mounts', '/proc/**/mountinfo') },
    },
  ),
  defineRule(
    {
      id: 'mitigate-host-ip-leak',
      section,
      category,
      enforcers: [...both],
      description: "Forbid reading the ARP table (/proc/<pid>/net/arp), which reveals the host's neighbours.",
    },
    { apparmor: { lines: [rule('/proc/**/net/arp r,')] }, bpf: { files: bpfFiles(READ, '/proc/**/net/arp') } },
  ),
  defineRule(
    {
      id: 'block-access-to-metadata-service',
      aliases: ['disallow-metadata-service'],
      section,
      category,
      enforcers: ['BPF'],
      description: 'Forbid connecting to the cloud instance metadata services (AWS/GCP/Azure/OpenStack and Volc Engine).',
    },
    blockAddresses([...AWS_METADATA, ...VOLC_METADATA]),
  ),
  defineRule(
    {
      id: 'block-access-to-aws-metadata-service',
      section,
      category,
      enforcers: ['BPF'],
      description: 'Forbid connecting to 169.254.169.254 and fd00:ec2::254 (AWS, GCP, Azure, OpenStack metadata).',
    },
    blockAddresses(AWS_METADATA),
  ),
  defineRule(
    {
      id: 'block-access-to-volc-metadata-service',
      section,
      category,
      enforcers: ['BPF'],
      description: 'Forbid connecting to 100.96.0.96 (Volc Engine and BytePlus metadata).',
    },
    blockAddresses(VOLC_METADATA),
  ),
  defineRule(
    {
      id: 'block-access-to-alibaba-metadata-service',
      section,
      category,
      enforcers: ['BPF'],
      description: 'Forbid connecting to 100.100.100.200 (Alibaba Cloud metadata).',
    },
    blockAddresses(['100.100.100.200']),
  ),
  defineRule(
    {
      id: 'block-access-to-oci-metadata-service',
      section,
      category,
      enforcers: ['BPF'],
      description: 'Forbid connecting to 192.0.0.192 (Oracle Cloud metadata).',
    },
    blockAddresses(['192.0.0.192']),
  ),
];
