import { readFileSync } from 'node:fs';
import { createEngine, definePlugin, varmorDialect, type SourceDocument } from '@armorkit/core';
import builtinRules from '@armorkit/builtin-rules';
import apparmor from '@armorkit/plugin-apparmor';
import bpf from '@armorkit/plugin-bpf';
import seccomp from '@armorkit/plugin-seccomp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAdmissionReview } from '../src/admission/decode-review.js';
import { startWebhookServer, validatingWebhook, type WebhookServer } from '../src/index.js';
import { review } from './https-client.js';
import { makeTestCertificates, type TestCertificates } from './test-ca.js';

interface Review {
  apiVersion: string;
  kind: string;
  request: {
    uid: string;
    kind: { group: string; version: string; kind: string };
    operation: string;
    object: { spec: { target: Record<string, unknown>; policy: Record<string, unknown> }; metadata: Record<string, unknown>; status?: Record<string, unknown> };
    oldObject: { spec: { target: Record<string, unknown>; policy: Record<string, unknown> }; status?: Record<string, unknown> } | null;
  };
}

const golden = (name: string): Review => JSON.parse(readFileSync(new URL(`fixtures/admission/${name}.json`, import.meta.url), 'utf8')) as Review;
const answer = (uid: string, response: Record<string, unknown>) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, ...response } });

describe('validating webhook over HTTPS', () => {
  let certificates: TestCertificates;
  let server: WebhookServer;
  const engine = createEngine({ plugins: [varmorDialect(), apparmor(), seccomp(), bpf()], rulePacks: [builtinRules] });
  const post = (body: unknown) => review(server.address.port, certificates.ca, '/validate', body);

  beforeAll(async () => {
    certificates = await makeTestCertificates();
    const started = await startWebhookServer({
      certFile: certificates.certFile,
      keyFile: certificates.keyFile,
      listen: { host: '127.0.0.1', port: 0 },
      routes: { '/validate': validatingWebhook(engine) },
      // apparmor_parser on a busy machine may take longer than the 9 s a cluster allows; the verdicts are what is tested.
      handlerTimeout: 50_000,
    });
    if ('problem' in started) throw new Error(started.problem);
    server = started.server;
  });
  afterAll(async () => {
    await server?.close(100);
    await engine.close();
  });

  it('allows the golden CREATE of a valid VarmorPolicy and of a valid VarmorClusterPolicy', async () => {
    for (const name of ['create-varmorpolicy', 'create-varmorclusterpolicy']) {
      const request = golden(name);
      expect(await post(request)).toEqual({ status: 200, json: answer(request.request.uid, { allowed: true }), text: expect.any(String) });
    }
  });

  it('allows the golden UPDATE that adds a rule', async () => {
    const request = golden('update-varmorpolicy');
    expect((await post(request)).json).toEqual(answer(request.request.uid, { allowed: true }));
  });

  it('refuses the golden UPDATE that leaves BehaviorModeling while modelling, with every problem and its pointer', async () => {
    const request = golden('update-varmorclusterpolicy');
    expect((await post(request)).json).toEqual(
      answer(request.request.uid, {
        allowed: false,
        status: {
          code: 422,
          reason: 'Invalid',
          message: [
            'VarmorClusterPolicy demo-6 is invalid: 1 problem(s)',
            '- /spec/policy/mode: mode cannot change from BehaviorModeling to "DefenseInDepth" while the policy is modelling (status.phase Modeling); wait until the phase is Completed',
          ].join('\n'),
        },
        // The models are the cluster's (the controller's): their absence is a warning here.
        warnings: [
          '/spec/policy/mode: mode cannot change from BehaviorModeling to "DefenseInDepth" while the policy is modelling (status.phase Modeling); wait until the phase is Completed',
          "warning: /spec/policy/defenseInDepth/appArmor/profileType: no behaviour model for varmor-cluster-varmor-demo-6; run BehaviorModeling first (the controller compiles it from the cluster's ArmorProfileModel once modelling completed)",
          expect.stringMatching(/^warning: \/spec\/policy\/defenseInDepth\/seccomp\/profileType: profileType BehaviorModel needs the behaviour model of varmor-cluster-varmor-demo-6 .*\.\.\.$/),
        ],
      }),
    );
  });

  it('allows DefenseInDepth on a behaviour model it does not have, with a warning: the cluster\'s ArmorProfileModel is the controller\'s', async () => {
    const request = golden('create-varmorpolicy');
    request.request.object.spec.policy = { enforcer: 'AppArmor', mode: 'DefenseInDepth', defenseInDepth: { appArmor: { profileType: 'BehaviorModel' } } };
    const got = (await post(request)).json as { response: { allowed: boolean; warnings?: string[] } };
    expect(got.response.allowed).toBe(true);
    expect(got.response.warnings?.join('\n')).toContain('/spec/policy/defenseInDepth/appArmor/profileType: no behaviour model for');
    expect(got.response.warnings?.join('\n')).toContain("the controller compiles it from the cluster's ArmorProfileModel once modelling completed");
  });

  it('refuses an invalid policy with each problem, its pointer and reason', async () => {
    const request = golden('create-varmorpolicy');
    request.request.object.spec.policy.enforcer = 'AppArmorSELinux';
    request.request.object.spec.target = { kind: 'CronJob', name: 'nightly' };
    const got = (await post(request)).json as { response: { allowed: boolean; status: { message: string }; warnings: string[] } };
    expect(got.response.allowed).toBe(false);
    expect(got.response.warnings).toEqual(got.response.status.message.split('\n').slice(1).map((line) => line.slice(2)));
    expect(got.response.warnings.map((warning) => warning.split(':')[0])).toEqual(['/spec/target/kind', '/spec/policy/enforcer']);
  });

  it('keeps each warning within 256 characters and all within 4096', async () => {
    const request = golden('create-varmorpolicy');
    request.request.object.spec.policy.enhanceProtect = { hardeningRules: Array.from({ length: 60 }, (_, index) => `no-such-rule-with-a-rather-long-name-${index}`) };
    const got = (await post(request)).json as { response: { allowed: boolean; status: { message: string }; warnings: string[] } };
    expect(got.response.allowed).toBe(false);
    expect(got.response.status.message.split('\n')).toHaveLength(61);
    expect(Math.max(...got.response.warnings.map((warning) => warning.length))).toBeLessThanOrEqual(256);
    expect(got.response.warnings.join('').length).toBeLessThanOrEqual(4096);
    expect(got.response.warnings.at(-1)).toMatch(/^\d+ more problem\(s\): see the status message$/);
  });

  it('refuses what is not a vArmor policy, and an UPDATE without oldObject', async () => {
    const pod = golden('create-varmorpolicy');
    pod.request.kind = { group: '', version: 'v1', kind: 'Pod' };
    expect((await post(pod)).json).toMatchObject(
      answer(pod.request.uid, {
        allowed: false,
        status: { code: 422, message: 'Pod is invalid: 1 problem(s)\n- /kind: this webhook validates VarmorPolicy and VarmorClusterPolicy (crd.varmor.org), not core/v1 Pod; check the webhook configuration\'s rules' },
      }),
    );
    const update = golden('update-varmorpolicy');
    update.request.oldObject = null;
    expect((await post(update)).json).toMatchObject({ response: { allowed: false, warnings: ['/: an UPDATE review needs request.oldObject to check the update rules'] } });
  });

  it('lets DELETE through unchecked', async () => {
    const deletion = golden('update-varmorpolicy');
    deletion.request.operation = 'DELETE';
    expect((await post(deletion)).json).toEqual(answer(deletion.request.uid, { allowed: true }));
  });

  // Each of vArmor's update rules, refused and allowed, through the webhook (the rules themselves: update-rules.test.ts).
  const updateCases: { rule: string; change(review: Review): void; refused?: string }[] = [
    { rule: 'target immutable', change: (r) => (r.request.object.spec.target = { kind: 'Deployment', name: 'demo-4' }), refused: '/spec/target/name' },
    { rule: 'target unchanged', change: (r) => (r.request.object.spec.target = { selector: { matchLabels: { app: 'demo-4' } }, kind: 'Deployment' }) },
    {
      rule: 'proxy port immutable',
      change: (r) => {
        r.request.oldObject!.spec.policy.networkProxyConfig = { proxyPort: 16001 };
        r.request.object.spec.policy.networkProxyConfig = { proxyPort: 16002 };
      },
      refused: '/spec/policy/networkProxyConfig/proxyPort',
    },
    { rule: 'proxy UID immutable', change: (r) => (r.request.object.spec.policy.networkProxyConfig = { proxyUID: 2000 }), refused: '/spec/policy/networkProxyConfig/proxyUID' },
    { rule: 'proxy admin port immutable', change: (r) => (r.request.object.spec.policy.networkProxyConfig = { proxyAdminPort: 16000 }), refused: '/spec/policy/networkProxyConfig/proxyAdminPort' },
    { rule: 'proxy defaults written out', change: (r) => (r.request.object.spec.policy.networkProxyConfig = { proxyUID: 1337, proxyPort: 15001, proxyAdminPort: 15000 }) },
    {
      rule: 'enforcer change while modelling',
      change: (r) => {
        Object.assign(r.request.oldObject!.spec.policy, { mode: 'BehaviorModeling', modelingOptions: { duration: 30 }, enhanceProtect: undefined });
        r.request.oldObject!.status!.phase = 'Modeling';
        r.request.object.spec.policy = { enforcer: 'AppArmorSeccomp', mode: 'BehaviorModeling', modelingOptions: { duration: 30 } };
      },
      refused: '/spec/policy/enforcer',
    },
    {
      rule: 'enforcer change after modelling',
      change: (r) => {
        Object.assign(r.request.oldObject!.spec.policy, { mode: 'BehaviorModeling', modelingOptions: { duration: 30 }, enhanceProtect: undefined });
        r.request.oldObject!.status!.phase = 'Completed';
        r.request.object.spec.policy = { enforcer: 'AppArmorSeccomp', mode: 'BehaviorModeling', modelingOptions: { duration: 30 } };
      },
    },
    {
      rule: 'leaving BehaviorModeling while modelling',
      change: (r) => {
        Object.assign(r.request.oldObject!.spec.policy, { mode: 'BehaviorModeling', modelingOptions: { duration: 30 }, enhanceProtect: undefined });
        r.request.oldObject!.status!.phase = 'Modeling';
      },
      refused: '/spec/policy/mode',
    },
    { rule: 'Seccomp removed', change: (r) => (r.request.object.spec.policy.enforcer = 'BPF'), refused: '/spec/policy/enforcer' },
    {
      rule: 'AppArmor removed',
      change: (r) => {
        r.request.oldObject!.spec.policy.enforcer = 'AppArmorSeccomp';
      },
      refused: '/spec/policy/enforcer',
    },
    {
      rule: 'BPF removed',
      change: (r) => {
        r.request.oldObject!.spec.policy.enforcer = 'BPFSeccomp';
      },
    },
  ];
  for (const { rule, change, refused } of updateCases) {
    it(`update: ${rule} is ${refused ? 'refused' : 'allowed'}`, async () => {
      const request = golden('update-varmorpolicy');
      change(request);
      const got = (await post(request)).json as { response: { allowed: boolean; warnings?: string[] } };
      if (refused) {
        expect(got.response.allowed).toBe(false);
        // The refused change, and no other problem (warnings of the policy itself are marked as such).
        const problems = got.response.warnings?.filter((warning) => !warning.startsWith('warning: '));
        expect(problems?.map((warning) => warning.split(':')[0])).toEqual([refused]);
      }
      else expect(got.response).toEqual({ uid: request.request.uid, allowed: true });
    });
  }
});

describe('validating webhook: what it hands the engine', () => {
  // A dialect tapped before vArmor's that only records each document the engine parses.
  const seen: SourceDocument[] = [];
  const recorder = definePlugin(() => ({
    name: 'recorder',
    meta: { name: 'recorder', version: '0.0.0' },
    apply(engine) {
      engine.hooks.parse.tap('recorder', (document) => {
        seen.push(document);
        return undefined;
      });
    },
  }));
  const engine = createEngine({ plugins: [recorder(), varmorDialect(), seccomp()], rulePacks: [builtinRules] });
  const handler = validatingWebhook(engine, { verify: false });
  const decoded = (change: (review: Review) => void) => {
    const request = golden('create-varmorpolicy');
    // Without managedFields and the last-applied annotation the object is checked as it is (no view without them).
    const metadata = request.request.object.metadata as { managedFields?: unknown; annotations?: Record<string, string> };
    delete metadata.managedFields;
    delete metadata.annotations;
    change(request);
    const result = decodeAdmissionReview(Buffer.from(JSON.stringify(request)));
    if (!('request' in result)) throw new Error('the golden review does not decode');
    return result.request;
  };

  it('is the review\'s object, parsed once with the review, not parsed again from its text', async () => {
    seen.length = 0;
    const request = decoded(() => undefined);
    expect(await handler(request)).toEqual({ uid: request.uid, allowed: true });
    expect(seen.map((document) => document.data)).toEqual([request.object]);
    expect(seen[0]!.data).toBe(request.object);
  });

  it('locates a problem in the object\'s JSON text', async () => {
    seen.length = 0;
    const request = decoded((review) => (review.request.object.spec.policy.mode = 'Nope'));
    const answer = await handler(request);
    expect(answer).toMatchObject({ allowed: false, status: { code: 422 } });
    expect(answer.status?.message).toContain('/spec/policy/mode');
    const text = JSON.stringify(request.object);
    expect(seen[0]!.locate('/spec/policy/mode')).toEqual({ line: 1, column: text.indexOf('"Nope"') + 1 });
  });
});
