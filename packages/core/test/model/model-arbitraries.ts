import fc from 'fast-check';
import type { DynamicResult } from '../../src/entries/model.js';

// Small alphabets, so that generated models share paths, peers and ips and the merge rules (owner, permissions, ports) meet.
const path = fc.constantFrom('/etc/hosts', '/srv/app/**', '/usr/bin/python3', '/tmp/**', '/proc/*/stat');
const word = fc.constantFrom('a', 'b', 'c', 'd');
const words = fc.uniqueArray(word, { maxLength: 3 });
const file = fc.record(
  { path, owner: fc.boolean(), permissions: fc.uniqueArray(fc.constantFrom('r', 'w', 'm', 'a', 'l', 'k'), { maxLength: 4 }), oldPath: fc.constantFrom('/old/a', '/old/b') },
  { requiredKeys: ['path', 'permissions'] },
);
const network = fc.record(
  {
    sockets: fc.array(fc.record({ domain: fc.constantFrom('inet', 'unix'), type: fc.constantFrom('stream', 'dgram'), protocol: fc.constantFrom('0', '6') }), { maxLength: 3 }),
    egresses: fc.array(fc.record({ ip: fc.constantFrom('10.0.0.1', '::1'), ports: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }) }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const ptrace = fc.record({ peer: word, permissions: words, external: fc.boolean() }, { requiredKeys: ['permissions'] });
const mount = fc.record({ path, type: fc.constantFrom('tmpfs', 'proc'), flags: words }, { requiredKeys: ['path', 'flags'] });
const appArmor = fc.record(
  {
    profiles: fc.constant<string[]>(['varmor-demo-web']),
    executions: fc.array(path, { maxLength: 3 }),
    files: fc.array(file, { maxLength: 4 }),
    capabilities: words,
    networks: network,
    ptraces: fc.array(ptrace, { maxLength: 2 }),
    signals: fc.array(fc.record({ peer: word, permissions: words, signals: words }), { maxLength: 2 }),
    mounts: fc.array(mount, { maxLength: 2 }),
    unhandled: words,
  },
  { requiredKeys: [] },
);
const bpf = fc.record(
  { executions: fc.array(path, { maxLength: 2 }), files: fc.array(file, { maxLength: 3 }), capabilities: words, network, ptraces: fc.array(ptrace, { maxLength: 2 }), mounts: fc.array(mount, { maxLength: 2 }) },
  { requiredKeys: [] },
);
export const dynamicResult: fc.Arbitrary<DynamicResult> = fc.record(
  { appArmor, bpf, seccomp: fc.record({ syscalls: fc.array(fc.constantFrom('read', 'openat', 'futex', 'accept4'), { maxLength: 4 }) }) },
  { requiredKeys: [] },
);
