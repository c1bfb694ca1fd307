import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type AppArmorPlan, errorsOf } from '@armorkit/core';
import { type AppArmorArtifact, compileAppArmor } from '../src/compile/compile-profile.js';
import { checkCustomProfile } from '../src/compile/custom-profile.js';
import { checkDeclaredNames, checkDeclaredProfiles } from '../src/verify/declared-profiles.js';
import { checkTransitions } from '../src/verify/transitions.js';
import { findApparmorParser, parseParserErrors } from '../src/verify/apparmor-parser.js';
import { loadProfile } from '../src/load/loader.js';
import { verifyWithParser } from '../src/verify/verify-artifact.js';
import { checkTexts } from '../src/verify/apparmor-parser.js';
import { problemToError } from '../src/verify/verify-artifact.js';
import { compileYaml, planOf, policyYaml } from './helpers.js';

const parser = findApparmorParser();

// apparmor_parser is a dependency `make` installs: its absence is a failure, not a reason to skip.
describe('apparmor_parser', () => {
  it('is installed', () => {
    expect(parser, 'apparmor_parser (Debian package apparmor)').toBeDefined();
  });
});
const NAME = 'varmor-demo-demo';
const hostileCustom = JSON.parse(readFileSync(new URL('./fixtures/hostile-custom-profiles.json', import.meta.url), 'utf8')) as { profile: string; error: string }[];
const legitimateRaw = JSON.parse(readFileSync(new URL('./fixtures/legitimate-raw-rules.json', import.meta.url), 'utf8')) as string[];

const PREAMBLE = 'abi <abi/3.0>,\n#include <tunables/global>\n\n';
/** Custom profiles the checks accept; each is compiled with raw rules under targets and listed with -N. */
const LEGITIMATE_CUSTOM = [
  `${PREAMBLE}profile ${NAME} flags=(attach_disconnected,mediate_deleted) {\n  #include <abstractions/base>\n  file,\n}\n`,
  `include <tunables/global>\nprofile ${NAME} {\n  network,\n  capability,\n  /bin/** rix,\n  owner /tmp/** rwk,\n  umount,\n  ptrace (trace,read,tracedby,readby) peer=${NAME},\n  signal (receive) peer=unconfined,\n}\n`,
  // Backslash escapes (`/tmp/e\\}`) are refused since the grammar replaced the tokenizer: no escapes, quote instead.
  `${PREAMBLE}profile "${NAME}" flags=(complain) {\n  # a } in a comment must not be taken for the profile's end\n  "/tmp/a {c,d}" r,\n  deny /tmp/{x,y}/** w, # trailing }\n} # the end }\n`,
  `${PREAMBLE}profile ${NAME} flags=(attach_disconnected) { file, deny /etc/shadow r, }\n`,
];

/** The profile names `text` declares, as apparmor_parser lists them. */
async function declaredNames(text: string): Promise<string[]> {
  const { run } = await checkTexts(parser as string, [text], ['-N']);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.split('\n').filter((line) => line.trim() !== '');
}

describe('custom profiles', () => {
  it('has a hostile corpus of at least 40 profiles', () => {
    expect(hostileCustom.length).toBeGreaterThanOrEqual(40);
  });

  it.each(hostileCustom.map((c) => [JSON.stringify(c.profile).slice(0, 120), c] as const))('rejects %s', (_, c) => {
    const errors = checkCustomProfile(c.profile, NAME, '/spec/policy/defenseInDepth/appArmor/customProfile');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => e.message).join('\n')).toContain(c.error);
  });

  it.each(LEGITIMATE_CUSTOM.map((text) => [JSON.stringify(text).slice(0, 100), text] as const))('accepts %s', (_, text) => {
    expect(checkCustomProfile(text, NAME, '/p')).toEqual([]);
  });

  describe('with apparmor_parser', () => {
    it.each(LEGITIMATE_CUSTOM.map((text) => [JSON.stringify(text).slice(0, 100), text] as const))('compiles %s with targets to exactly the profile and its child', async (_, customProfile) => {
      const artifact = compileYaml(policyYaml({ mode: 'DefenseInDepth', customProfile, appArmorRawRules: [{ rules: 'deny /etc/hostname r,' }, { rules: 'deny /etc/hosts r,', targets: ['/bin/grep'] }] }));
      expect(await declaredNames(artifact.data.text)).toEqual([NAME, `${NAME}//child_0`]);
      expect(artifact.data.profiles).toEqual([NAME, `${NAME}//child_0`]);
      expect(artifact.data.transitions).toEqual(['/bin/grep cx -> child_0,']);
      expect(await verifyWithParser(parser as string, [{ profileName: NAME, data: artifact.data }])).toEqual([[]]);
    });
  });
});

describe('raw rules the allow-list accepts, through apparmor_parser', () => {
  it('every legitimate raw rule compiles, in the profile and under targets, to exactly the expected profiles', async () => {
    const artifacts: AppArmorArtifact[] = [];
    for (const [i, rules] of legitimateRaw.entries()) {
      artifacts.push(compileYaml(policyYaml({ name: `g${i}`, mode: 'EnhanceProtect', appArmorRawRules: [{ rules }] })));
      artifacts.push(compileYaml(policyYaml({ name: `t${i}`, mode: 'DefenseInDepth', appArmorRawRules: [{ rules, targets: ['/bin/grep'] }] })));
    }
    const results = await verifyWithParser(parser as string, artifacts.map((a) => ({ profileName: a.profileName, data: a.data })), ['-O', '0']);
    expect(results.flatMap((errors, i) => errors.map((e) => `${artifacts[i]?.profileName}: ${e.message}`))).toEqual([]);
    for (const artifact of artifacts) {
      const children = artifact.profileName.startsWith('varmor-demo-t') ? [`${artifact.profileName}//child_0`] : [];
      expect(await declaredNames(artifact.data.text)).toEqual([artifact.profileName, ...children]);
    }
  });
});

describe('declared profiles backstop', () => {
  it('accepts exactly the profiles compile declared, each once', () => {
    expect(checkDeclaredNames(['a.b', 'a.b//child_0', 'a.b//child_12'], ['a.b', 'a.b//child_12', 'a.b//child_0'])).toBeUndefined();
    expect(checkDeclaredNames(['a.b', 'cri-containerd.apparmor.d'], ['a.b'])).toMatch(/not written by armorkit: cri-containerd/);
    expect(checkDeclaredNames(['a.b', 'a.b//evil'], ['a.b'])).toMatch(/not written by armorkit: a\.b\/\/evil/);
    // A child compile did not create is refused even when it looks like one of its own.
    expect(checkDeclaredNames(['a.b', 'a.b//child_0', 'a.b//child_1'], ['a.b', 'a.b//child_0'])).toMatch(/not written by armorkit: a\.b\/\/child_1/);
    expect(checkDeclaredNames(['a.b', 'a.b'], ['a.b'])).toMatch(/not written by armorkit: a\.b/);
    expect(checkDeclaredNames(['a.b'], ['a.b', 'a.b//child_0'])).toMatch(/missing: a\.b\/\/child_0/);
    expect(checkDeclaredNames([], ['a.b'])).toMatch(/no profile/);
  });

  describe('with apparmor_parser', () => {
    const smuggled = `profile ${NAME} {\n  file,\n}\nprofile cri-containerd.apparmor.d flags=(unconfined) {\n  file,\n}\n`;
    const expected = { profileName: NAME, profiles: [NAME], transitions: [] };
    const template = (text: string) => ({ text, origins: text.split('\n').map(() => ({ pointer: '', source: 'template' })), diskDevices: [], profiles: [NAME], transitions: [] });

    it('verify refuses a text that declares another profile', async () => {
      expect((await checkDeclaredProfiles(parser as string, smuggled, expected)).map((e) => e.message)).toEqual([
        `profile ${NAME}: the text declares cri-containerd.apparmor.d, ${NAME}; expected exactly ${NAME} (not written by armorkit: cri-containerd.apparmor.d)`,
      ]);
      expect((await verifyWithParser(parser as string, [{ profileName: NAME, data: template(smuggled) }]))[0]?.map((e) => e.code)).toEqual(['apparmor-declared-profiles']);
    });

    // What a printer that let user bytes through would produce: each must be caught by the backstop alone.
    it.each([
      ['a hat', `profile ${NAME} {\n  file,\n  ^evil flags=(unconfined) {\n  }\n}\n`, 'apparmor-declared-profiles'],
      ['a child compile did not declare', `profile ${NAME} {\n  profile child_0 {\n  }\n}\n`, 'apparmor-declared-profiles'],
      ['an exec transition', `profile ${NAME} {\n  /usr/bin/** Px -> cri-containerd.apparmor.d,\n}\n`, 'apparmor-transitions'],
      ['an unconfined exec', `profile ${NAME} {\n  /** ux,\n}\n`, 'apparmor-transitions'],
      ['a multi-line transition', `profile ${NAME} {\n  /usr/bin/curl\n    Cx\n    -> other,\n}\n`, 'apparmor-transitions'],
      ['change_profile', `profile ${NAME} {\n  change_profile -> unconfined,\n}\n`, 'apparmor-transitions'],
      ['a transition to a child from a line compile did not write', `profile ${NAME} {\n  /bin/sh cx -> child_0,\n  profile child_0 {\n  }\n}\n`, 'apparmor-transitions'],
      ['an rlimit', `profile ${NAME} {\n  set rlimit nproc <= 1,\n}\n`, 'apparmor-transitions'],
      ['an abstraction with Px', `include <tunables/global>\nprofile ${NAME} {\n  include <abstractions/opencl-nvidia>\n}\n`, 'apparmor-transitions'],
      ['an abstraction with Cx and its children', `include <tunables/global>\nprofile ${NAME} {\n  include <abstractions/opencl>\n}\n`, 'apparmor-declared-profiles'],
    ])('refuses %s', async (_, text, code) => {
      const children = text.includes('profile child_0') && code === 'apparmor-transitions' ? [`${NAME}//child_0`] : [];
      const data = { ...template(text), profiles: [NAME, ...children] };
      const [errors = []] = await verifyWithParser(parser as string, [{ profileName: NAME, data }]);
      expect(errors.map((e) => e.code), errors.map((e) => e.message).join('\n')).toEqual([code]);
    });

    it('checks many profiles in one run, and still says which one failed', async () => {
      const good = compileYaml(policyYaml({ name: 'good', mode: 'DefenseInDepth', appArmorRawRules: [{ rules: 'deny /etc/hosts r,', targets: ['/bin/grep'] }] }));
      const other = compileYaml(policyYaml({ name: 'other', mode: 'DefenseInDepth', appArmorRawRules: [{ rules: 'deny /etc/hosts r,', targets: ['/bin/grep'] }] }));
      // `other` holds a second copy of the transition line compile wrote once (in `good` too): counted, not excused.
      const copied = other.data.text.replace('  /bin/grep cx -> child_0,\n', '  /bin/grep cx -> child_0,\n  /bin/grep cx -> child_0,\n');
      const results = await verifyWithParser(parser as string, [
        { profileName: good.profileName, data: good.data },
        { profileName: other.profileName, data: { ...other.data, text: copied } },
        { profileName: good.profileName, data: good.data },
      ]);
      expect(results.map((errors) => errors.map((e) => e.code))).toEqual([[], ['apparmor-transitions'], []]);
      expect(await verifyWithParser(parser as string, [good, other].map((a) => ({ profileName: a.profileName, data: a.data })))).toEqual([[], []]);
    });

    it('accepts the transitions compile wrote, and deny change_profile', async () => {
      const text = `profile ${NAME} {\n  /bin/grep cx -> child_0,\n  deny change_profile -> unconfined,\n  link /tmp/a -> /tmp/b,\n  mount -> /mnt/,\n  "/tmp/a->b" r,\n  profile child_0 {\n  }\n}\n`;
      expect(await checkTransitions(parser as string, text, { profileName: NAME, profiles: [NAME, `${NAME}//child_0`], transitions: ['/bin/grep cx -> child_0,'] })).toEqual([]);
    });

    it('load refuses it before writing or loading anything', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'armorkit-load-'));
      try {
        writeFileSync(join(dir, 'enabled'), 'Y\n');
        for (const text of [smuggled, `profile ${NAME} {\n  /** ux,\n}\n`]) {
          const artifact: AppArmorArtifact = { enforcer: 'AppArmor', profileName: NAME, profileMode: 'enforce', files: [], data: { text, origins: [], diskDevices: [], profiles: [NAME], transitions: [] } };
          const outcome = await loadProfile(artifact, {
            parser: parser as string,
            paths: { enabled: join(dir, 'enabled'), partitions: join(dir, 'partitions'), profileDirectory: join(dir, 'apparmor.d'), loadedProfiles: join(dir, 'profiles') },
          });
          expect(outcome.result).toBeUndefined();
          expect(outcome.errors.map((e) => e.code)).toEqual([text === smuggled ? 'apparmor-declared-profiles' : 'apparmor-transitions']);
          expect(readdirSync(dir)).toEqual(['enabled']);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe('parser errors in included files', () => {
  it('are not mapped to a line of the policy', () => {
    const stderr = 'AppArmor parser error for /tmp/x/profile-0 in profile /etc/apparmor.d/tunables/home at line 3: syntax error\n';
    const [problem] = parseParserErrors(stderr);
    expect(problem).toEqual({ file: '/etc/apparmor.d/tunables/home', line: 3, message: 'syntax error' });
    const data = { text: 'a\nb\nc\n', origins: [0, 1, 2].map((i) => ({ pointer: '/spec/policy/x', source: `raw rule line ${i + 1}` })), diskDevices: [], profiles: [NAME], transitions: [] };
    const error = problemToError(problem!, data, NAME, '/tmp/x/profile-0');
    expect(error.pointer).toBe('');
    expect(error.message).toBe(`profile ${NAME} (in /etc/apparmor.d/tunables/home line 3, included by the profile): apparmor_parser: syntax error`);
    const own = parseParserErrors('AppArmor parser error for /tmp/x/profile-0 in profile /tmp/x/profile-0 at line 2: bad\n')[0]!;
    expect(problemToError(own, data, NAME, '/tmp/x/profile-0').pointer).toBe('/spec/policy/x');
  });
});

describe('behaviour model', () => {
  it('must be the model of this policy\'s profile', () => {
    const plan: AppArmorPlan = { ...planOf(policyYaml({ mode: 'DefenseInDepth' })), build: { kind: 'BehaviorModel' } };
    const model = { profiles: ['varmor-other-victim'], executions: ['/bin/ls'] };
    expect(errorsOf(compileAppArmor(plan, { behaviorModel: model })).map((e) => e.message)).toEqual([
      `the behaviour model is for the profile "varmor-other-victim", not ${NAME}; use the model recorded for this policy`,
    ]);
  });
});
