/**
 * Webhook registrations for the end-to-end suite: a ValidatingWebhookConfiguration and a
 * MutatingWebhookConfiguration whose `clientConfig.url` is `https://127.0.0.1:<port>/validate`
 * (`/mutate`) with the server's CA as caBundle, and the CRD conversion webhook stanza
 * (`https://127.0.0.1:<port>/convert`).
 */
import type { Kubectl } from './kubectl.js';
import { mustSucceed } from './kubectl.js';

/** FailurePolicy is the webhook failurePolicy. */
export type FailurePolicy = 'Fail' | 'Ignore';

/** WebhookRule is one admissionregistration.k8s.io/v1 rule. */
export interface WebhookRule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: Array<'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT' | '*'>;
  scope?: 'Cluster' | 'Namespaced' | '*';
}

/** WebhookSetup describes the pair of configurations to apply. */
export interface WebhookSetup {
  /** baseUrl is `https://127.0.0.1:<port>`. */
  baseUrl: string;
  /** caBundle is the PEM CA of the server's certificate. */
  caBundle: string;
  /** rules select what is sent to both webhooks. */
  rules: WebhookRule[];
  /** failurePolicy applies to both webhooks (default 'Fail'). */
  failurePolicy?: FailurePolicy;
  /** validatingName is the validating webhook's name (default `validate.portcullis.dev`). */
  validatingName?: string;
  /** mutatingName is the mutating webhook's name (default `mutate.portcullis.dev`). */
  mutatingName?: string;
  /** timeoutSeconds applies to both webhooks (default 10). */
  timeoutSeconds?: number;
}

/** WEBHOOK_CONFIGURATION_NAME names both configuration objects (one of each kind). */
export const WEBHOOK_CONFIGURATION_NAME = 'portcullis-e2e';

/** webhookConfigurations builds the two configuration objects (not applied). */
export function webhookConfigurations(setup: WebhookSetup): { validating: object; mutating: object } {
  const caBundle = Buffer.from(setup.caBundle).toString('base64');
  const common = {
    rules: setup.rules.map((r) => ({ scope: '*', ...r })),
    failurePolicy: setup.failurePolicy ?? 'Fail',
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    timeoutSeconds: setup.timeoutSeconds ?? 10,
    matchPolicy: 'Equivalent',
  };
  return {
    validating: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: WEBHOOK_CONFIGURATION_NAME },
      webhooks: [
        {
          name: setup.validatingName ?? 'validate.portcullis.dev',
          clientConfig: { url: `${setup.baseUrl}/validate`, caBundle },
          ...common,
        },
      ],
    },
    mutating: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: WEBHOOK_CONFIGURATION_NAME },
      webhooks: [
        {
          name: setup.mutatingName ?? 'mutate.portcullis.dev',
          clientConfig: { url: `${setup.baseUrl}/mutate`, caBundle },
          reinvocationPolicy: 'Never',
          ...common,
        },
      ],
    },
  };
}

/** applyWebhookConfigurations applies both configurations with kubectl (server-side apply). */
export async function applyWebhookConfigurations(kubectl: Kubectl, setup: WebhookSetup): Promise<void> {
  const { validating, mutating } = webhookConfigurations(setup);
  const list = { apiVersion: 'v1', kind: 'List', items: [validating, mutating] };
  const result = await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=e2e', '-f', '-'], {
    input: list,
  });
  mustSucceed(result, 'apply webhook configurations');
}

/** deleteWebhookConfigurations removes both configurations (missing ones are fine). */
export async function deleteWebhookConfigurations(kubectl: Kubectl): Promise<void> {
  const result = await kubectl([
    'delete',
    `validatingwebhookconfiguration/${WEBHOOK_CONFIGURATION_NAME}`,
    `mutatingwebhookconfiguration/${WEBHOOK_CONFIGURATION_NAME}`,
    '--ignore-not-found',
  ]);
  mustSucceed(result, 'delete webhook configurations');
}

/** conversionWebhookStanza is the CRD `spec.conversion` that sends conversions to `<baseUrl>/convert`. */
export function conversionWebhookStanza(baseUrl: string, caBundle: string, reviewVersions = ['v1']): object {
  return {
    strategy: 'Webhook',
    webhook: {
      conversionReviewVersions: reviewVersions,
      clientConfig: { url: `${baseUrl}/convert`, caBundle: Buffer.from(caBundle).toString('base64') },
    },
  };
}

/** pointConversionWebhook patches an installed CRD so its conversions go to `<baseUrl>/convert`. */
export async function pointConversionWebhook(
  kubectl: Kubectl,
  crdName: string,
  setup: { baseUrl: string; caBundle: string; reviewVersions?: string[] },
): Promise<void> {
  const patch = { spec: { conversion: conversionWebhookStanza(setup.baseUrl, setup.caBundle, setup.reviewVersions) } };
  const result = await kubectl(['patch', 'crd', crdName, '--type=merge', '-p', JSON.stringify(patch)]);
  mustSucceed(result, `patch conversion of crd/${crdName}`);
}
