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

/** `--kubeconfig FILE`, or the default (service account, KUBECONFIG, ~/.kube/config) without one. */
export function loadKubeConfig(file?: string): { kubeConfig: KubeConfig } | { problem: string } {
  if (file === undefined) return loadDefaultKubeConfig();
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(file);
    if (!kubeConfig.getCurrentCluster()) return { problem: `${file}: the kubeconfig names no current cluster` };
    return { kubeConfig };
  } catch (error) {
    return { problem: `${file}: the kubeconfig could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}
