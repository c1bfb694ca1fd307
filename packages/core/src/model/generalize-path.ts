import { generalizeComponent } from './path-component.js';

export interface GeneralizeOptions {
  /**
   * Host directories of container filesystems (overlay `lowerdir` / `upperdir` / `workdir` up to the first number, as
   * found in /proc/mounts): a path under one has every number replaced (reference §5.4, rule 1).
   */
  overlayPrefixes?: readonly string[];
}

// Library directories: a read-only access to one file there stands for the directory (rule 2).
const LIBRARY_DIRECTORIES = ['/lib/x86_64-linux-gnu/', '/usr/lib/x86_64-linux-gnu/', '/lib/aarch64-linux-gnu/', '/usr/lib/aarch64-linux-gnu/'];
const SERVICE_ACCOUNT_DIRECTORIES = ['/run/secrets/kubernetes.io/serviceaccount/', '/var/run/secrets/kubernetes.io/serviceaccount/'];
// Left as they are by the classifier (rule 6): names there are the system's, and numbers mean something.
const NOT_RANDOMISED = ['/lib/', '/usr/lib/', '/usr/local/lib/', '/sys/', '/proc/', '/var/lib/'];
const WRITE_LIKE = /[awlk]/;
const DOCKER_LAYER = /^\/var\/lib\/docker\/overlay2\/[0-9a-f]{64}(-init)?\//;

/**
 * A recorded path → the pattern the model keeps (vArmor's trimPath, reference §5.4), with `mask` the access letters
 * (`r`, `w`, `m`, ...). Pure and cheap: the recorder calls it for every file event (and caches it).
 */
export function generalizePath(path: string, mask: string, options: GeneralizeOptions = {}): string {
  // 1. Container filesystems seen from the host: the layer ids change with every image and container.
  for (const prefix of options.overlayPrefixes ?? []) {
    if (prefix !== '' && path.startsWith(prefix)) return path.replace(/\b\d+\b/g, '*');
  }
  if (path.includes('/snapshots/') && path.includes('/fs/')) path = path.replace(/\/snapshots\/\d+\/fs\//, '/snapshots/*/fs/');
  if (DOCKER_LAYER.test(path)) path = path.replace(/^(\/var\/lib\/docker\/overlay2\/)[0-9a-f]{64}/, '$1*');
  // 2. Libraries, when only read or mapped.
  if (!WRITE_LIKE.test(mask)) {
    for (const directory of LIBRARY_DIRECTORIES) {
      if (path.startsWith(directory) && path.length > directory.length) return `${directory}**`;
    }
  }
  // 3. Temporary files: their names are made up.
  if (path.startsWith('/tmp/') && path.length > '/tmp/'.length) return '/tmp/**';
  // 4. The service account's token and certificates are symlinks into a dated directory that kubelet rotates.
  for (const directory of SERVICE_ACCOUNT_DIRECTORIES) {
    if (path.startsWith(directory) && path.length > directory.length) return `${directory}**`;
  }
  // 5. Process ids.
  if (path.startsWith('/proc')) {
    const trimmed = path.replace(/\/[0-9]+/g, '/*');
    const mapFiles = trimmed.indexOf('/map_files/');
    return mapFiles >= 0 ? `${trimmed.slice(0, mapFiles)}/map_files/*` : trimmed;
  }
  // 6. System directories keep their names.
  if (NOT_RANDOMISED.some((prefix) => path.startsWith(prefix))) return path;
  // 7. Made-up names anywhere else (vArmor asks its classifier service).
  return classifyComponents(path);
}

function classifyComponents(path: string): string {
  const components = path.split('/');
  let changed = false;
  for (let i = 1; i < components.length; i++) {
    const component = components[i]!;
    if (component === '') continue;
    const general = generalizeComponent(component);
    if (general !== component) {
      components[i] = general;
      changed = true;
    }
  }
  return changed ? components.join('/') : path;
}
