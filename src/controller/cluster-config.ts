import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { errorMessage, PortcullisError } from '../kube/errors.js';

/**
 * Where the controller finds its cluster, in kubectl's and client-go's order:
 * `--kubeconfig`, then `KUBECONFIG` (a list of files, merged), then
 * `~/.kube/config`, then the in-cluster ServiceAccount. Unlike the client
 * library's loadFromDefault, which falls back to http://localhost:8080 when
 * nothing is found, finding nothing is an error naming every source tried.
 */

/** SERVICE_ACCOUNT_DIR is where the kubelet mounts a Pod's ServiceAccount token. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** ClusterConfigError is a missing or unreadable cluster configuration (no kubeconfig and not in a cluster). */
export class ClusterConfigError extends PortcullisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PCL_ERR_CLUSTER_CONFIG', message, options);
  }
}

/** ClusterConfigSources are the inputs of loadClusterConfig; tests pass their own. */
export interface ClusterConfigSources {
  /** kubeconfig is the `--kubeconfig` flag. */
  kubeconfig?: string;
  /** context is the `--context` flag: a context of the kubeconfig instead of its current-context (kubectl's meaning). */
  context?: string;
  /** env defaults to process.env (KUBECONFIG, KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT). */
  env?: Readonly<Record<string, string | undefined>>;
  /** home defaults to os.homedir(). */
  home?: string;
  /** root prefixes SERVICE_ACCOUNT_DIR (tests); default "" (the real mount). */
  root?: string;
}

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

function loadFile(kc: KubeConfig, path: string, from: string): void {
  if (!isFile(path)) throw new ClusterConfigError(`${from} names ${path}, which is not a readable file`);
  try {
    kc.loadFromFile(path);
  } catch (err) {
    throw new ClusterConfigError(`${from}: ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

function fromKubeconfigList(listed: string[]): KubeConfig {
  const present = listed.filter(isFile);
  if (present.length === 0) throw new ClusterConfigError(`KUBECONFIG names ${listed.join(delimiter)}, and none of them is a readable file`);
  const kc = new KubeConfig();
  loadFile(kc, present[0]!, 'KUBECONFIG');
  for (const path of present.slice(1)) {
    const more = new KubeConfig();
    loadFile(more, path, 'KUBECONFIG');
    kc.mergeConfig(more);
  }
  return kc;
}

/** inClusterProblem says why the in-cluster configuration is not there, or undefined when it is. */
function inClusterProblem(env: Readonly<Record<string, string | undefined>>, token: string): string | undefined {
  if (!env.KUBERNETES_SERVICE_HOST) return 'KUBERNETES_SERVICE_HOST is not set';
  if (!env.KUBERNETES_SERVICE_PORT) return 'KUBERNETES_SERVICE_PORT is not set';
  return isFile(token) ? undefined : `${token} does not exist`;
}

/**
 * loadClusterConfig returns the KubeConfig of the first source that exists, or throws ClusterConfigError naming
 * all it tried; with `context`, that context of the kubeconfig (an unknown one, or one with the in-cluster
 * configuration, is a ClusterConfigError naming the contexts there are).
 */
export function loadClusterConfig(sources: ClusterConfigSources = {}): KubeConfig {
  const kc = findClusterConfig(sources);
  if (sources.context === undefined) return kc;
  const names = kc.getContexts().map((c) => c.name);
  if (!names.includes(sources.context)) {
    throw new ClusterConfigError(`--context ${sources.context}: the kubeconfig has no such context (it has: ${names.join(', ') || 'none'})`);
  }
  kc.setCurrentContext(sources.context);
  return kc;
}

function findClusterConfig(sources: ClusterConfigSources): KubeConfig {
  const env = sources.env ?? process.env;
  const kc = new KubeConfig();
  if (sources.kubeconfig) {
    loadFile(kc, sources.kubeconfig, '--kubeconfig');
    return kc;
  }
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (listed.length > 0) return fromKubeconfigList(listed);
  const fallback = join(sources.home ?? homedir(), '.kube', 'config');
  if (isFile(fallback)) {
    loadFile(kc, fallback, '~/.kube/config');
    return kc;
  }
  const root = sources.root ?? '';
  const problem = inClusterProblem(env, `${root}${SERVICE_ACCOUNT_DIR}/token`);
  if (problem === undefined) {
    kc.loadFromCluster(root); // reads KUBERNETES_SERVICE_HOST/PORT, the token and ca.crt under root
    return kc;
  }
  throw new ClusterConfigError(
    `no cluster configuration found; tried --kubeconfig (not given), KUBECONFIG (not set), ${fallback} (not found), in-cluster config (${problem})`,
  );
}
