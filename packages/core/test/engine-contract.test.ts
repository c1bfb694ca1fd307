import { describe, expect, it } from 'vitest';
import { varmorDialect } from '../src/dialect/varmor.js';
import { defineEnforcer, type CompileContext } from '../src/engine/backend.js';
import { createEngine } from '../src/engine/engine.js';
import { definePlugin, type Plugin } from '../src/engine/plugin.js';
import { defineErrors } from '../src/error-catalog.js';
import { coreErrors } from '../src/core-errors.js';
import { fail, ok, type Result } from '../src/result.js';
import type { ArtifactExplanation } from '../src/engine/artifact.js';
import type { ArmorProfileModel } from '../src/schema/varmor/index.js';
import { testRules } from './helpers.js';

const defenseInDepth = `apiVersion: crd.varmor.org/v1beta1
kind: VarmorPolicy
metadata: {name: app, namespace: demo}
spec:
  target: {kind: Deployment, name: app}
  policy:
    enforcer: Seccomp
    mode: DefenseInDepth
    defenseInDepth:
      seccomp: {profileType: BehaviorModel}
`;

/** A seccomp backend that records what compile was given and what close was called for. */
function recording(name: string, log: string[], seen: CompileContext[] = []): Plugin {
  return {
    name,
    meta: { name, version: '0.0.0' },
    backends: [
      defineEnforcer({
        enforcer: 'Seccomp',
        compile(plan, context) {
          seen.push(context);
          return ok({ enforcer: 'Seccomp', profileName: plan.profileName, profileMode: plan.profileMode, files: [], data: { build: plan.build.kind } });
        },
        async close() {
          log.push(`close ${name}`);
          return ok(undefined);
        },
      }),
    ],
  };
}

describe('enforcer backends', () => {
  it('refuses two backends for one enforcer, naming both plugins', () => {
    expect(() => createEngine({ plugins: [recording('first', []), recording('second', [])] })).toThrow(
      'plugins "first" and "second" both implement Seccomp; an engine takes one backend per enforcer',
    );
  });

  it('derives the installed enforcers from the backends and the plugins\' meta', () => {
    const engine = createEngine({ plugins: [varmorDialect(), recording('seccomp-like', [])] });
    expect(engine.enforcers).toEqual(['Seccomp']);
    expect(engine.installed).toEqual([{ enforcer: 'Seccomp', plugin: 'seccomp-like', meta: { name: 'seccomp-like', version: '0.0.0' } }]);
  });

  it('gives compile the spec pointer and the behaviour model in its context, and the plan a resolveMode tap returned', () => {
    const seen: CompileContext[] = [];
    const auditEverything = definePlugin(() => ({
      name: 'audit-everything',
      meta: { name: 'audit-everything', version: '0.0.0' },
      apply(engine) {
        engine.hooks.resolveMode.tap('audit-everything', (plan) => {
          for (const part of Object.values(plan.enforcers)) part.action = 'audit';
          return plan;
        });
      },
    }));
    const engine = createEngine({ plugins: [varmorDialect(), recording('seccomp-like', [], seen), auditEverything()], rulePacks: [testRules] });
    const model: ArmorProfileModel = { apiVersion: 'crd.varmor.org/v1beta1', kind: 'ArmorProfileModel', metadata: { name: 'varmor-demo-app', namespace: 'demo' } };
    const parsed = engine.parse(defenseInDepth, 'p.yaml');
    expect(parsed.errors).toEqual([]);
    const resolved = engine.resolve(parsed.policies[0]!, new Map([['varmor-demo-app', model]]));
    expect(resolved.plan?.enforcers.Seccomp?.action).toBe('audit');
    const compiled = engine.compile(resolved.plan!);
    expect(compiled.ok && compiled.value.map((artifact) => artifact.data)).toEqual([{ build: 'BehaviorModel' }]);
    expect(seen.map((context) => ({ specPointer: context.specPointer, behaviorModel: context.behaviorModel }))).toEqual([{ specPointer: '/spec', behaviorModel: model }]);
  });

  it('explain compiles only the enforcers whose backends explain, and names a plugin whose explain throws', () => {
    const seen: CompileContext[] = [];
    const explaining = (explain: () => Result<ArtifactExplanation>): Plugin => ({
      name: 'explaining',
      meta: { name: 'explaining', version: '0.0.0' },
      backends: [
        defineEnforcer({
          enforcer: 'AppArmor',
          compile: (plan) => ok({ enforcer: 'AppArmor', profileName: plan.profileName, profileMode: plan.profileMode, files: [], data: {} }),
          explain,
        }),
      ],
    });
    const policy = defenseInDepth.replace('enforcer: Seccomp', 'enforcer: AppArmorSeccomp').replace('seccomp: {profileType: BehaviorModel}', 'seccomp: {profileType: BehaviorModel}\n      appArmor: {profileType: BehaviorModel}');
    const run = (plugin: Plugin) => {
      const engine = createEngine({ plugins: [varmorDialect(), recording('seccomp-like', [], seen), plugin], rulePacks: [testRules] });
      const { plan } = engine.resolve(engine.parse(policy, 'p.yaml').policies[0]!);
      return engine.explain(plan!);
    };
    expect(run(explaining(() => ok({ heading: 'what it decides', entries: [{ text: 'everything' }] })))).toEqual({
      ok: true,
      value: [{ enforcer: 'AppArmor', explanation: { heading: 'what it decides', entries: [{ text: 'everything' }] } }],
      warnings: [],
    });
    expect(seen).toEqual([]);
    const thrown = run(
      explaining(() => {
        throw new Error('no table');
      }),
    );
    expect(!thrown.ok && thrown.errors).toEqual([{ code: 'plugin-failed', pointer: '', message: 'plugin "explaining" failed in explain: no table' }]);
  });

  it('close calls every backend\'s close once, and names a plugin whose close throws', async () => {
    const log: string[] = [];
    const broken: Plugin = {
      name: 'broken',
      meta: { name: 'broken', version: '0.0.0' },
      backends: [
        defineEnforcer({
          enforcer: 'BPF',
          compile: () => fail([coreErrors.error('mode-unsupported', '', 'never')]),
          close: async () => {
            throw new Error('fd 9 already closed');
          },
        }),
      ],
    };
    const engine = createEngine({ plugins: [recording('seccomp-like', log), broken] });
    const closed = await engine.close();
    expect(closed).toEqual({ ok: false, errors: [{ code: 'plugin-failed', pointer: '', message: 'plugin "broken" failed in close: fd 9 already closed' }], warnings: [] });
    expect(log).toEqual(['close seccomp-like']);
    expect(await engine.close()).toEqual({ ok: true, value: undefined, warnings: [] });
    expect(log).toEqual(['close seccomp-like']);
  });
});

describe('error codes', () => {
  it('refuses one code declared by two packages, naming both', () => {
    const a: Plugin = { name: 'a', meta: { name: 'a', version: '0' }, errors: defineErrors('@example/a', { 'shared-thing': { description: 'x' } }) };
    const b: Plugin = { name: 'b', meta: { name: 'b', version: '0' }, errors: defineErrors('@example/b', { 'shared-thing': { description: 'y' } }) };
    expect(() => createEngine({ plugins: [a, b] })).toThrow('error code "shared-thing" is declared by @example/a and by @example/b');
    const clash: Plugin = { name: 'c', meta: { name: 'c', version: '0' }, errors: defineErrors('@example/c', { 'plugin-failed': { description: 'z' } }) };
    expect(() => createEngine({ plugins: [clash] })).toThrow('error code "plugin-failed" is declared by @armorkit/core and by @example/c');
  });

  it('knows every code of the engine and who declares it', () => {
    const a: Plugin = { name: 'a', meta: { name: 'a', version: '0' }, errors: defineErrors('@example/a', { 'a-thing': { description: 'x' } }) };
    const engine = createEngine({ plugins: [a] });
    expect(engine.errorCodes.get('a-thing')).toBe('@example/a');
    expect(engine.errorCodes.get('behavior-model-missing')).toBe('@armorkit/core');
  });
});
