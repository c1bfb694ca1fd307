import { createEngine, type Engine } from '../src/engine/engine.js';
import { varmorDialect } from '../src/dialect/varmor.js';
import { defineRule, defineRulePack } from '../src/rules/define.js';
import { PolicyTester } from '../src/testing/index.js';

/** A small rule pack covering each section and enforcer, so core tests do not depend on the built-in catalogue. */
export const testRules = defineRulePack({ name: 'core-test-rules', version: '0.0.0' }, [
  defineRule(
    { id: 'disable-cap-net-raw', section: 'hardening', category: 'capability', description: 'no raw sockets', enforcers: ['AppArmor', 'BPF'] },
    { apparmor: { lines: [{ rule: 'capability net_raw,' }] }, bpf: { capabilities: ['net_raw'] } },
  ),
  defineRule(
    { id: 'mitigate-sa-leak', section: 'attackProtection', category: 'information-leak', description: 'no token', enforcers: ['AppArmor', 'BPF'] },
    {
      apparmor: { lines: [{ rule: '/run/secrets/kubernetes.io/serviceaccount/** r,' }] },
      bpf: { files: [{ pattern: '/run/secrets/kubernetes.io/serviceaccount/**', permissions: ['read'] }] },
    },
  ),
  defineRule(
    { id: 'disable-chmod-x-bit', section: 'attackProtection', category: 'sensitive-operations', description: 'no +x', enforcers: ['Seccomp'] },
    { seccomp: { syscalls: [{ key: 'chmod', names: ['chmod'], args: [{ index: 1, value: 0x40, valueTwo: 0x40, op: 'SCMP_CMP_MASKED_EQ' }] }] } },
  ),
  defineRule(
    { id: 'dirty-pipe-mitigation', section: 'vulMitigation', category: 'vulnerability', description: 'no splice', enforcers: ['Seccomp'] },
    { seccomp: { syscalls: [{ key: 'splice', names: ['splice'], args: [], ifAbsent: true }] } },
  ),
  defineRule(
    { id: 'block-access-to-metadata-service', section: 'attackProtection', category: 'information-leak', description: 'no IMDS', enforcers: ['BPF'] },
    { bpf: { egress: [{ ip: '169.254.169.254' }] } },
  ),
]);

export function testEngine(): Engine {
  return createEngine({ plugins: [varmorDialect()], rulePacks: [testRules] });
}

/** The vArmor dialect and the test rules, through the testing kit (no enforcer: for parse and resolve). */
export function testTester(): PolicyTester {
  return new PolicyTester({ plugins: [varmorDialect()], rulePacks: [testRules] });
}
