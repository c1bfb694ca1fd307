import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '@armorkit/core';
import { loadEngine } from '../src/default-engine.js';
import { mutateDemoLines } from '../src/demo/mutate-step.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
let engine: Engine;
beforeAll(async () => {
  engine = (await loadEngine({ cwd: REPO })).engine;
});

describe("the demo's Kubernetes step (host only, before the kernel part)", () => {
  it("shows the mutating webhook's patch for the example Deployment, one operation a line", () => {
    expect(mutateDemoLines(engine, REPO, new Date('2026-12-02T03:04:05Z'))).toEqual([
      'armorkit demo: Kubernetes — the patch the mutating webhook returns for examples/kubernetes/web-frontend-deployment.yaml (Kubernetes 1.30; armorkit k8s mutate):',
      '  matched VarmorPolicy shop/web-frontend, profile varmor-shop-web-frontend',
      '  add     /metadata/annotations  {}',
      '  add     /spec/template/metadata/annotations  {}',
      '  add     /spec/template/metadata/annotations/container.apparmor.security.beta.varmor.org~1nginx  "localhost/varmor-shop-web-frontend"',
      '  add     /spec/template/spec/containers/0/securityContext  {}',
      '  add     /spec/template/spec/containers/0/securityContext/appArmorProfile  {"type": "Localhost", "localhostProfile": "varmor-shop-web-frontend"}',
      '  add     /spec/template/metadata/annotations/container.apparmor.security.beta.varmor.org~1log-shipper  "localhost/varmor-shop-web-frontend"',
      '  add     /spec/template/spec/containers/1/securityContext/appArmorProfile  {"type": "Localhost", "localhostProfile": "varmor-shop-web-frontend"}',
      '  add     /metadata/annotations/webhook.varmor.org~1mutatedAt  "2026-12-02T03:04:05Z"',
    ]);
  });
});
