import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { type ArmorNodeStatus, NODE_STATUS_API_VERSION, NODE_STATUS_GROUP, NODE_STATUS_KIND, NODE_STATUS_PLURAL, NODE_STATUS_VERSION } from '../node-status/schema.js';

const codeOf = (error: unknown) => (error instanceof ApiException ? error.code : undefined);
const messageOf = (error: unknown) => (error instanceof ApiException ? `HTTP ${error.code}: ${bodyMessage(error.body)}` : error instanceof Error ? error.message : String(error));

function bodyMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
    } catch {
      return body;
    }
  }
  return typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string' ? body.message : String(body);
}

/**
 * Writes the node's own `ArmorNodeStatus/<node>` and nothing else. The object is created once (its status is the
 * status subresource's, so the create carries none); every report after that is one JSON patch of `/status` on the
 * subresource, with no resourceVersion to go stale: the agent is the object's only writer.
 */
export class NodeReportWriter {
  private readonly objects: CustomObjectsApi;
  private exists = false;
  /** Requests made, for the figures in docs/kubernetes.md and the tests. */
  requests = 0;

  constructor(
    kubeConfig: KubeConfig,
    private readonly node: string,
  ) {
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  private readonly path = { group: NODE_STATUS_GROUP, version: NODE_STATUS_VERSION, plural: NODE_STATUS_PLURAL };

  /** Makes sure the object exists: read it, create it when it is missing. */
  private async ensure(): Promise<void> {
    if (this.exists) return;
    try {
      this.requests += 1;
      await this.objects.getClusterCustomObject({ ...this.path, name: this.node });
    } catch (error) {
      if (codeOf(error) !== 404) throw error;
      try {
        this.requests += 1;
        await this.objects.createClusterCustomObject({ ...this.path, body: { apiVersion: NODE_STATUS_API_VERSION, kind: NODE_STATUS_KIND, metadata: { name: this.node } } });
      } catch (created) {
        if (codeOf(created) !== 409) throw created;
      }
    }
    this.exists = true;
  }

  /** Writes the report's status; an error message (the report is written again at the next change or heartbeat). */
  async write(report: ArmorNodeStatus): Promise<string | undefined> {
    try {
      await this.ensure();
      try {
        this.requests += 1;
        await this.objects.patchClusterCustomObjectStatus({ ...this.path, name: this.node, body: [{ op: 'add', path: '/status', value: report.status }] });
      } catch (error) {
        // Deleted behind our back (a node object cleaned up): create it again, once.
        if (codeOf(error) !== 404) throw error;
        this.exists = false;
        await this.ensure();
        this.requests += 1;
        await this.objects.patchClusterCustomObjectStatus({ ...this.path, name: this.node, body: [{ op: 'add', path: '/status', value: report.status }] });
      }
      return undefined;
    } catch (error) {
      return `ArmorNodeStatus/${this.node}: ${messageOf(error)}`;
    }
  }
}
