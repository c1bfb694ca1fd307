// The manager Deployment of the manifests (and so of the Helm chart, generated from them) gives the webhook and the
// controller containers the --match-labels of webhook.matchLabels; read by the CLI's own flag and option code, they
// come to the same labels as the mutating webhooks' objectSelector.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { renderManifests } from '@armorkit/plugin-k8s/install';
import { renderValuesSchema } from '../../plugin-k8s/src/render/values.js';
import { matchLabelFlag } from '../src/commands/match-label-flag.js';
import { matchLabelsOption } from '../src/commands/match-labels.js';

type Manifest = ReturnType<typeof renderManifests>[number];

function rendered(matchLabels?: Record<string, string>) {
  const objects = renderManifests({ values: renderValuesSchema.parse(matchLabels ? { webhook: { matchLabels } } : {}), tls: { caCertificate: 'CA\n', certificate: 'CERT\n', privateKey: 'KEY\n' } });
  const deployment = objects.find((object) => object.kind === 'Deployment') as Manifest & { spec: { template: { spec: { containers: { name: string; args: string[] }[] } } } };
  const mutating = objects.find((object) => object.kind === 'MutatingWebhookConfiguration') as Manifest & { webhooks: { objectSelector: { matchLabels: Record<string, string> } }[] };
  return { containers: deployment.spec.template.spec.containers, selectors: mutating.webhooks.map((webhook) => webhook.objectSelector.matchLabels) };
}

/** The container's --match-label args, parsed by the flag main.ts declares and read as the commands read it. */
function matchLabelsOf(args: readonly string[]) {
  const command = new Command('k8s').addOption(matchLabelFlag('')).exitOverride().action(() => {});
  command.parse(args.filter((arg) => arg.startsWith('--match-label')), { from: 'user' });
  return matchLabelsOption(command.opts<{ matchLabel?: string[] }>().matchLabel);
}

describe('the manager Deployment: --match-label for the webhook and the controller', () => {
  for (const [what, matchLabels] of [
    ['the default', undefined],
    ['two labels', { team: 'shop', 'armorkit.dev/protect': 'yes' }],
    ['none ({})', {}],
  ] as const) {
    it(`gives both containers the objectSelector's labels (${what})`, () => {
      const { containers, selectors } = rendered(matchLabels);
      expect(containers.map((container) => container.name)).toEqual(['webhook', 'controller']);
      for (const selector of selectors) expect(selector).toEqual(matchLabels ?? { 'sandbox.varmor.org/enable': 'true' });
      for (const container of containers) {
        expect(container.args.filter((arg) => arg.startsWith('--match-label')).length, container.name).toBe(Math.max(1, Object.keys(selectors[0]!).length));
        expect(matchLabelsOf(container.args), container.name).toEqual(selectors[0]);
      }
    });
  }
});
