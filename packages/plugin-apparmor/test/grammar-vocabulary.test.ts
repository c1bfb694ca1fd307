import { describe, expect, it } from 'vitest';
import { parseRawRules, printStatement } from '../src/grammar/index.js';
import {
  CAPABILITIES, DBUS_PERMISSIONS, MOUNT_OPTIONS, NETWORK_DOMAINS, NETWORK_PROTOCOLS, NETWORK_TYPES, PATH_VARIABLES, PTRACE_PERMISSIONS,
  SIGNALS, SIGNAL_PERMISSIONS, UNIX_PERMISSIONS, UNIX_TYPES,
} from '../src/grammar/vocabulary.js';
import { binaryPolicy, twoAtATime } from './support/binary-policy.js';

// Whatever the grammar accepts, apparmor_parser accepts: every word of every closed list, in a rule of its own,
// read by our grammar and compiled by the parser (one profile per list, so a refusal names its line).

const LISTS: Record<string, string[]> = {
  capabilities: [...CAPABILITIES].map((name) => `capability ${name},`),
  'network domains': [...NETWORK_DOMAINS].map((domain) => `network ${domain},`),
  'network types': [...NETWORK_TYPES].flatMap((type) => [`network ${type},`, `network inet ${type},`]),
  'network protocols': [...NETWORK_PROTOCOLS].flatMap((protocol) => [`network ${protocol},`, `network inet ${protocol},`]),
  signals: [...SIGNALS, 'rtmin+0', 'rtmin+32'].map((signal) => `signal set=(${signal}),`),
  'signal permissions': [...SIGNAL_PERMISSIONS].map((permission) => `signal (${permission}),`),
  'ptrace permissions': [...PTRACE_PERMISSIONS].map((permission) => `ptrace (${permission}),`),
  'unix permissions': [...UNIX_PERMISSIONS].map((permission) => `unix (${permission}),`),
  'unix types': [...UNIX_TYPES].map((type) => `unix type=${type},`),
  'dbus permissions': [...DBUS_PERMISSIONS].map((permission) => `dbus (${permission}),`),
  variables: [...PATH_VARIABLES].map((variable) => `deny @{${variable}}/x r,`),
};

describe('the closed lists', () => {
  it.each(Object.entries(LISTS))('%s: each is read by the grammar and compiled by apparmor_parser', async (_, rules) => {
    const read = parseRawRules(rules.join('\n'));
    expect(read.problems).toEqual([]);
    const compiled = await binaryPolicy((read.statements ?? []).map(printStatement).join('\n'));
    expect(compiled.ok ? '' : compiled.output).toBe('');
  });

  // Many mount rules in one profile take the parser minutes (its mount DFA grows fast): one profile per option.
  it('mount options: each is read by the grammar and compiled by apparmor_parser', { timeout: 60_000 }, async () => {
    const failures = await twoAtATime([...MOUNT_OPTIONS], async (option) => {
      const read = parseRawRules(`mount options=(${option}) -> /mnt/,\ndeny mount options in (${option}) -> /mnt/,`);
      if (!read.statements) return `${option}: ${JSON.stringify(read.problems)}`;
      const compiled = await binaryPolicy(read.statements.map(printStatement).join('\n'));
      return compiled.ok ? '' : `${option}: ${compiled.output}`;
    });
    expect(failures.filter((f) => f !== '')).toEqual([]);
  });

  it('words outside the lists are refused by the grammar', () => {
    for (const text of ['capability cap_chown,', 'network inet tcpx,', 'signal set=(sigkill),', 'ptrace (write),', 'unix (sendto),', 'dbus (call),', 'mount options=(foo) -> /mnt/,', 'deny @{EVIL}/x r,', 'unix type=stream2,']) {
      expect(parseRawRules(text).problems.length, text).toBe(1);
    }
  });
});
