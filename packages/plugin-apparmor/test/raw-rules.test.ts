import { readFileSync } from 'node:fs';
import { errorsOf } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { checkRawRuleText, checkRawRules } from '../src/raw-rules.js';
import { apparmorTester, compileYaml, planOf, policyYaml } from './helpers.js';

interface HostileCase {
  rules: string;
  line: number;
  error: string;
  /** Placed under targets (a child profile) when set. */
  targets?: string[];
}

/** Raw rules the allow-list accepts; declared-profiles.test.ts compiles each and checks it with apparmor_parser. */
const LEGITIMATE = JSON.parse(readFileSync(new URL('./fixtures/legitimate-raw-rules.json', import.meta.url), 'utf8')) as string[];
const hostile = JSON.parse(readFileSync(new URL('./fixtures/hostile-raw-rules.json', import.meta.url), 'utf8')) as HostileCase[];

describe('raw rule checks', () => {
  it('has a corpus of at least 130 injection attempts', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(130);
  });

  it('refuses the \\" carrier in every list form (apparmor_parser keeps \\" inside a list value)', () => {
    const carriers = hostile.filter((c) => c.rules.includes('\\"'));
    expect(carriers.length).toBeGreaterThanOrEqual(15);
    for (const form of ['mount fstype=(', 'umount fstype=(', 'remount options=(', 'options in (', 'peer=(label=', 'peer=(addr=', 'peer=(name=', 'set=(', 'ptrace (', 'unix (', 'dbus (', 'signal peer=', 'fstype="']) {
      expect(carriers.some((c) => c.rules.includes(form)), form).toBe(true);
    }
    for (const c of carriers) expect(c.error).toMatch(/backslash/);
  });

  it.each(hostile.map((c) => [JSON.stringify(c.rules), c] as const))('rejects %s', (_, c) => {
    const problems = checkRawRuleText(c.rules);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.line).toBe(c.line);
    expect(problems[0]?.message).toContain(c.error);
  });

  it.each([
    'deny /etc/hosts r,',
    'audit deny /etc/{passwd,shadow} rw,',
    'deny "/tmp/a {b,c} d" r,',
    '/usr/bin/id ix,',
    'deny /**/curl rx,',
    'owner /tmp/** rwk, # scratch space',
    '#include <abstractions/nameservice>',
    'include <abstractions/base>',
    '# a comment with } and { and px',
    'deny network icmp,',
    'deny mount options in (bind) /proc** -> /**,',
    'signal (receive) peer=unconfined,',
    'deny @{PROC}/kcore r,',
    'deny capability sys_admin,',
    '',
    ...LEGITIMATE,
  ])('accepts %j', (rules) => {
    expect(checkRawRuleText(rules)).toEqual([]);
  });

  it.each(hostile.filter((c) => c.targets).map((c) => [JSON.stringify(c.rules), c] as const))('rejects %s under targets, at compile', (_, c) => {
    const yaml = policyYaml({ mode: 'DefenseInDepth', appArmorRawRules: [{ rules: c.rules, targets: c.targets ?? [] }] });
    const outcome = apparmorTester().outcome({ yaml, file: 'evil.yaml', enforcers: ['AppArmor'] });
    expect(outcome.ok).toBe(false);
    expect(errorsOf(outcome)[0]?.message).toMatch(new RegExp(`^line ${c.line}, column [0-9]+: `));
    expect(errorsOf(outcome)[0]?.message).toContain(c.error);
  });

  it('points at the policy field and names the line', () => {
    const errors = checkRawRules([{ rules: 'deny /etc/hosts r,\n}\n', pointer: '/spec/policy/enhanceProtect/appArmorRawRules/0/rules' }]);
    expect(errors).toEqual([
      {
        code: 'apparmor-raw-rule',
        pointer: '/spec/policy/enhanceProtect/appArmorRawRules/0/rules',
        message: 'line 2, column 1: "}" would close the profile',
        value: '}',
        textPosition: { line: 2, column: 1 },
      },
    ]);
  });

  it('fails compile of a policy with a hostile raw rule, with the YAML position', () => {
    const yaml = policyYaml({ mode: 'EnhanceProtect', appArmorRawRules: [{ rules: 'deny /etc/hosts r,' }, { rules: 'deny /x r,\n}\nprofile x {' }] });
    const outcome = apparmorTester().outcome({ yaml, file: 'evil.yaml', enforcers: ['AppArmor'] });
    expect(outcome.ok).toBe(false);
    expect(errorsOf(outcome).map((error) => `${error.pointer}: ${error.message}`)).toEqual([
      '/spec/policy/enhanceProtect/appArmorRawRules/1/rules: line 2, column 1: "}" would close the profile',
      '/spec/policy/enhanceProtect/appArmorRawRules/1/rules: line 3, column 11: "{" would open a block (a profile or hat) inside the profile',
    ]);
    expect(errorsOf(outcome)[0]?.location?.file).toBe('evil.yaml');
  });

  it('checks DefenseInDepth raw rules too', () => {
    const plan = planOf(policyYaml({ mode: 'DefenseInDepth', appArmorRawRules: [{ rules: '/bin/sh Ux,', targets: ['/bin/grep'] }] }));
    expect(checkRawRules(plan.rawRules).map((e) => e.message)).toEqual(['line 1, column 9: exec transition "Ux" is not allowed (use ix, or deny x)']);
    expect(() => compileYaml(policyYaml({ mode: 'DefenseInDepth', appArmorRawRules: [{ rules: '/bin/sh Ux,' }] }))).toThrow(/Ux/);
  });
});
