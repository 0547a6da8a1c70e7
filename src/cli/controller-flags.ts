/*
 * The controller's flags live apart from its command so that `serve` can
 * accept them without loading the controller (and its Kubernetes client).
 */

/** CONTROLLER_FLAGS is the parseArgs spec of the controller flags, for embedding in `serve --controller`. */
export const CONTROLLER_FLAGS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  bindings: { type: 'string' },
  workers: { type: 'string' },
  resync: { type: 'string' },
  qps: { type: 'string' },
  burst: { type: 'string' },
  'leader-elect': { type: 'boolean' },
  'leader-elect-namespace': { type: 'string' },
  'leader-elect-name': { type: 'string' },
  'leader-elect-lease-duration': { type: 'string' },
  'leader-elect-renew-deadline': { type: 'string' },
  'leader-elect-retry-period': { type: 'string' },
  identity: { type: 'string' },
} as const;
