/**
 * WebhookMetrics records what the HTTP layer sees of each webhook call. The
 * prom-client implementation lives in metrics.ts; tests inject their own.
 */
export interface WebhookMetrics {
  /** requestStarted counts a request in flight; call the returned function once with the HTTP code when it is answered. */
  requestStarted(webhook: string): (code: number) => void;
  /** deadlineExceeded counts a request answered by the deadline failure preference (action "allow" or "deny") instead of an evaluation. */
  deadlineExceeded?(webhook: string, action: string): void;
  /** handlerFailed counts a handler that threw (a bug), answered as an errored review; controller-runtime counts these as webhook panics. */
  handlerFailed?(webhook: string): void;
}

/** noopWebhookMetrics records nothing. */
export const noopWebhookMetrics: WebhookMetrics = {
  requestStarted: () => () => undefined,
};
