import { type AppArmorPlan, type ContainerPosture, POSTURE_CLASSES, POSTURE_PROTECTIONS } from '@armorkit/core';
import { describe, expect, it } from 'vitest';
import { compileAppArmor } from '../src/compile/compile-profile.js';
import { findApparmorParser } from '../src/verify/apparmor-parser.js';
import { verifyWithParser } from '../src/verify/verify-artifact.js';
import { planOf, policyYaml } from './helpers.js';

// The Posture build: a dialect's container posture (core's ContainerPosture), printed by this plugin, with the
// plan's raw rules and child profiles as a custom profile gets them.

const parser = findApparmorParser();

function planWith(posture: ContainerPosture, rawRules: AppArmorPlan['rawRules'] = []): AppArmorPlan {
  return { ...planOf(policyYaml({ name: 'posture', mode: 'EnhanceProtect' })), build: { kind: 'Posture', posture }, rawRules, rules: [] };
}

function textOf(plan: AppArmorPlan): string {
  const compiled = compileAppArmor(plan);
  if (!compiled.ok) throw new Error(compiled.errors.map((error) => error.message).join('\n'));
  return compiled.value.data.text;
}

/** Every subset of a list. */
const subsets = <T>(list: readonly T[]): T[][] => list.reduce<T[][]>((all, item) => [...all, ...all.map((subset) => [...subset, item])], [[]]);

describe('the Posture build', () => {
  it('allows wholesale exactly the classes the posture lists, in a fixed order', () => {
    const text = textOf(planWith({ allowAll: ['capability', 'file'], protections: [], pointer: '/spec' }));
    const body = text.split('\n').map((line) => line.trim());
    expect(body).toContain('file,');
    expect(body).toContain('capability,');
    expect(body).not.toContain('network,');
    expect(body.indexOf('file,')).toBeLessThan(body.indexOf('capability,'));
    // signals, tracing among its own processes, unix sockets and umount are never mediated
    expect(body).toEqual(expect.arrayContaining(['umount,', 'unix,', 'signal (receive) peer=unconfined,', 'ptrace (read,readby,trace,tracedby) peer=varmor-demo-posture,']));
  });

  it('keeps each protection it lists, and only those', () => {
    const none = textOf(planWith({ allowAll: [...POSTURE_CLASSES], protections: [], pointer: '/spec' }));
    expect(none).not.toMatch(/@\{PROC\}|\/sys\/|deny mount/);
    const all = textOf(planWith({ allowAll: [...POSTURE_CLASSES], protections: [...POSTURE_PROTECTIONS], pointer: '/spec' }));
    expect(all).toContain('  deny "@{PROC}/kcore" rwklx,\n');
    expect(all).toContain('  deny /sys/kernel/security/** rwklx,\n');
    expect(all).toContain('  deny mount,\n');
  });

  it('adds the raw rules and one child profile per target group', () => {
    const text = textOf(
      planWith({ allowAll: ['network'], protections: ['mount'], pointer: '/spec' }, [
        { rules: 'audit deny /etc/shadow rwmkl,', pointer: '/spec/file/matchPaths/0' },
        { rules: 'file,', targets: ['/usr/bin/ping'], pointer: '/spec/capabilities/matchCapabilities/0/fromSource' },
      ]),
    );
    expect(text).toMatch(/# Custom Rules\n {2}audit deny \/etc\/shadow rwmkl,\n/);
    expect(text).toMatch(/\/usr\/bin\/ping cx -> child_0,\n\n {2}profile child_0 [^\n]*\{\n[\s\S]* {4}file,\n {2}\}\n\}\n$/);
  });

  it('apparmor_parser accepts every combination of classes and protections', async () => {
    expect(parser, 'apparmor_parser (Debian package apparmor)').toBeDefined();
    const plans = subsets(POSTURE_CLASSES).flatMap((allowAll) => subsets(POSTURE_PROTECTIONS).map((protections) => planWith({ allowAll, protections, pointer: '/spec' })));
    expect(plans).toHaveLength(64);
    const artifacts = plans.map((plan) => {
      const compiled = compileAppArmor(plan);
      if (!compiled.ok) throw new Error('compile failed');
      return compiled.value;
    });
    const results = await verifyWithParser(parser!, artifacts.map((artifact) => ({ profileName: artifact.profileName, data: artifact.data })), ['-O', '0']);
    expect(results).toEqual(artifacts.map(() => []));
  }, 120_000);
});
