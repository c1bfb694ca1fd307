import { KubeConfig } from '@kubernetes/client-node';

/** The in-cluster service account, or KUBECONFIG / ~/.kube/config outside one; a problem (no throw) when unreadable. */
export function loadDefaultKubeConfig(): { kubeConfig: KubeConfig } | { problem: string } {
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    if (!kubeConfig.getCurrentCluster()) return { problem: 'no Kubernetes cluster is configured (no service account, KUBECONFIG or ~/.kube/config names one)' };
    return { kubeConfig };
  } catch (error) {
    return { problem: `the Kubernetes configuration could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}
