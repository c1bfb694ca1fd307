// @ts-check
// A third-party rule pack: plain ESM, no build step. Users `npm install` it and list it in armorkit.config.mjs.
import { defineRule, defineRulePack, readPackageMeta } from '@armorkit/core';

const MINERS = ['xmrig', 'xmr-stak', 'minerd', 'cpuminer', 'ethminer', 'nbminer', 't-rex', 'lolminer'];
// Stratum pool ports most miners default to.
const STRATUM_PORTS = [3333, 4444, 5555, 7777, 14444];

export const blockCryptoMiners = defineRule(
  {
    id: 'block-crypto-miners',
    aliases: ['disable-crypto-miners'],
    section: 'attackProtection',
    category: 'malware',
    description: 'Denies executing well-known cryptocurrency miner binaries, wherever they are dropped.',
    enforcers: ['AppArmor', 'BPF'],
  },
  {
    apparmor: { lines: MINERS.map((name) => ({ exec: `/**/${name}` })) },
    bpf: { processes: MINERS.map((name) => ({ pattern: `/**/${name}` })) },
  },
);

export const blockStratumPorts = defineRule(
  {
    id: 'block-stratum-ports',
    section: 'attackProtection',
    category: 'malware',
    description: 'Denies connections to the TCP ports mining pools listen on (stratum), to any address.',
    enforcers: ['BPF'],
  },
  {
    bpf: {
      egress: [
        { cidr: '0.0.0.0/0', ports: STRATUM_PORTS.map((port) => ({ port })) },
        { cidr: '::/0', ports: STRATUM_PORTS.map((port) => ({ port })) },
      ],
    },
  },
);

const pack = defineRulePack(readPackageMeta(import.meta.url), [blockCryptoMiners, blockStratumPorts]);
export default pack;
