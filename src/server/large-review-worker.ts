import { parentPort, workerData } from 'node:worker_threads';
import { createMutateHandler, createValidateHandler } from '../admission/handlers.js';
import type { AdmissionHandler } from '../admission/handlers.js';
import { parseAdmissionReview } from '../admission/parse-review.js';
import type { AdmissionReviewRequest } from '../admission/review.js';
import type { AdmissionChain } from '../admission/stage.js';
import { answeredReview, erroredReview } from './admission-endpoint.js';
import { loadRuntimeConfig } from './admission-runtime.js';
import type { RuntimeSources } from './admission-runtime.js';
import { deadlineResponse } from './deadline.js';
import type { DeadlineFailure } from './deadline.js';
import { createDecisionRecorder } from './decision-metrics.js';
import { errorStatus } from './error-status.js';
import { parseJsonBody } from './read-json-body.js';
import type { LargeReviewReply, LargeReviewTask } from './large-reviews.js';
import { errorMessage } from '../kube/errors.js';

/*
 * The large-review worker thread (large-reviews.ts starts it): it loads the
 * same CRDs and policies as the server, reloads them when the server's
 * configuration generation changes, and answers whole admission reviews
 * from their raw bytes: parse, evaluate, serialize. What the decision
 * counter would have counted is sent back for the server to count.
 */

interface WorkerInput {
  sources: RuntimeSources;
  failure: DeadlineFailure;
}

const input = workerData as WorkerInput;
let loaded: { generation: number; chain: AdmissionChain } | undefined;
let counted: Record<string, string>[] = [];
// The decision counter's stand-in: it keeps the labels of each increment for the reply.
const counter = { inc: (labels: Record<string, string>) => void counted.push(labels) };
const record = createDecisionRecorder(counter as never);

async function chainFor(generation: number): Promise<AdmissionChain> {
  if (loaded === undefined || loaded.generation !== generation) {
    try {
      const config = await loadRuntimeConfig(input.sources);
      loaded = { generation, chain: config.chain };
    } catch (err) {
      // The server loaded this generation; if the files changed again since, keep the last good set.
      if (loaded === undefined) throw err;
    }
  }
  return record((loaded as { chain: AdmissionChain }).chain);
}

async function answer(task: LargeReviewTask): Promise<LargeReviewReply> {
  let review: AdmissionReviewRequest;
  try {
    review = parseAdmissionReview(parseJsonBody(Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength)));
  } catch (err) {
    const { httpStatus, body } = errorStatus(err);
    return { id: task.id, kind: 'bad-request', httpStatus, text: JSON.stringify(body), message: errorMessage(err) };
  }
  let chain: AdmissionChain;
  try {
    chain = await chainFor(task.generation);
  } catch (err) {
    return { id: task.id, kind: 'unavailable', message: `large-review worker thread could not load the configuration: ${errorMessage(err)}` };
  }
  counted = [];
  try {
    const handler: AdmissionHandler = task.webhook === 'mutate' ? createMutateHandler({ chain: () => chain }) : createValidateHandler({ chain: () => chain });
    const expired = performance.timeOrigin + performance.now() >= task.deadlineEpochMs;
    const response = expired ? deadlineResponse(review.request, input.failure) : handler(review.request);
    const result = answeredReview(review, response);
    return { id: task.id, kind: 'answered', text: JSON.stringify(result.body), log: result.log, counted, expired };
  } catch (err) {
    const result = erroredReview(review);
    return { id: task.id, kind: 'answered', text: JSON.stringify(result.body), log: result.log, counted, failed: { message: errorMessage(err), stack: err instanceof Error ? err.stack : undefined } };
  }
}

// One review at a time, in arrival order.
let queue: Promise<unknown> = Promise.resolve();
parentPort?.on('message', (task: LargeReviewTask) => {
  queue = queue.then(() => answer(task)).then((reply) => parentPort?.postMessage(reply));
});
