import type { KubernetesVersion, Result } from '@armorkit/core';
import { fail, ok } from '@armorkit/core';
import { mutateErrors } from './errors.js';

/** What the API server's `/version` says (strings: managed clusters write minors such as `30+`). */
export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

const leadingNumber = (text: string) => (/^\d+/.exec(text) ? Number.parseInt(text, 10) : undefined);

/** `{ major: '1', minor: '30+' }` → 1.30; falls back to gitVersion (`v1.30.2-gke.1`) when major/minor say nothing. */
export function parseServerVersion(version: ServerVersion): Result<KubernetesVersion> {
  const major = leadingNumber(version.major);
  const minor = leadingNumber(version.minor);
  if (major !== undefined && minor !== undefined) return ok({ major, minor });
  const git = /^v?(\d+)\.(\d+)/.exec(version.gitVersion);
  if (git) return ok({ major: Number(git[1]), minor: Number(git[2]) });
  return fail([mutateErrors.error('kubernetes-version-unknown', '', `the API server's version (${JSON.stringify(version)}) does not say which Kubernetes it is`)]);
}

/** `1.30` / `v1.30.2` → 1.30 (`armorkit k8s mutate --kube-version`). */
export function parseKubernetesVersion(text: string): Result<KubernetesVersion> {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(text.trim());
  if (!match) return fail([mutateErrors.error('kubernetes-version-unknown', '', `${JSON.stringify(text)} is not a Kubernetes version such as 1.30`)]);
  return ok({ major: Number(match[1]), minor: Number(match[2]) });
}

/**
 * The API server's version, read once: the first call reads it, concurrent calls share that read, later calls get
 * the answer. A failed read is not kept, so the next request tries again.
 */
export function cachedKubernetesVersion(read: () => Promise<ServerVersion>): () => Promise<Result<KubernetesVersion>> {
  let pending: Promise<Result<KubernetesVersion>> | undefined;
  return () => {
    pending ??= read().then(parseServerVersion, (error: unknown) =>
      fail([mutateErrors.error('kubernetes-version-unknown', '', `the API server's version could not be read: ${error instanceof Error ? error.message : String(error)}`)]),
    );
    const current = pending;
    void current.then((result) => {
      if (!result.ok && pending === current) pending = undefined;
    });
    return current;
  };
}
