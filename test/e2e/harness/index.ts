/**
 * The end-to-end harness: import from here in test/e2e/*.test.ts files.
 */
export { startE2E, REPO_ROOT, type E2EEnv, type E2EOptions } from './start-e2e.js';
export { e2eSuite, scenarioWithDiagnostics } from './suite.js';
export { checkAvailability, resolveBinaries, cacheDir, KUBE_VERSION, type Binaries } from './binaries.js';
export { mustSucceed, type Kubectl, type KubectlResult, type KubectlRunOptions } from './kubectl.js';
export { loadCrds, clusterCopy, rulesFor, type Crd } from './crds.js';
export { webhookConfigurations, conversionWebhookStanza, type FailurePolicy, type WebhookRule } from './webhook-config.js';
