import { createTwoFilesPatch } from 'diff';
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { stringify } from 'yaml';
import { deepCopy } from '../kube/safe-object.js';
import type { JsonObject } from '../kube/types.js';
import type { AdmissionOutcome, ConversionOutcome, PlaygroundOutcome } from './engine.js';
import { renderKubectl, WEBHOOK_NAMES } from './kubectl-view.js';
import type { KubectlView } from './kubectl-view.js';
import type { Diagnostic } from './locate.js';

/** ResultView is everything the page shows for one outcome, computed without the DOM so tests can check it. */
export interface ResultView {
  verdict: 'allowed' | 'denied' | 'converted' | 'failed' | 'problem';
  /** headline is one line: `Allowed`, `Denied: 422 Invalid`, `Converted 2 objects`… */
  headline: string;
  kubectl: KubectlView | null;
  /** patch is the decoded JSON Patch ([] when none). */
  patch: Operation[];
  /** diff is a unified diff of the object before and after the patch, as YAML ('' when unchanged). */
  diff: string;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  /** converted are the objects a ConversionReview returned. */
  converted: JsonObject[];
  /** review is the response review as `portcullis review` prints it (JSON, two-space indent). */
  review: string;
  diagnostics: Diagnostic[];
}

const EMPTY = { kubectl: null, patch: [], diff: '', warnings: [], auditAnnotations: {}, converted: [], review: '', diagnostics: [] };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** viewOf turns an outcome into what the page renders. */
export function viewOf(outcome: PlaygroundOutcome): ResultView {
  if (outcome.kind === 'problem') return { ...EMPTY, verdict: 'problem', headline: `${plural(outcome.diagnostics.length, 'problem')} in the inputs`, diagnostics: outcome.diagnostics };
  return outcome.kind === 'conversion' ? conversionView(outcome) : admissionView(outcome);
}

function conversionView(outcome: ConversionOutcome): ResultView {
  const response = outcome.review.response;
  const ok = response.result.status === 'Success';
  const converted = (response.convertedObjects ?? []) as JsonObject[];
  return {
    ...EMPTY,
    verdict: ok ? 'converted' : 'failed',
    headline: ok ? `Converted ${plural(converted.length, 'object')}` : `Conversion failed: ${response.result.message ?? ''}`,
    converted,
    review: `${JSON.stringify(outcome.review, null, 2)}\n`,
  };
}

function admissionView(outcome: AdmissionOutcome): ResultView {
  const response = outcome.review.response;
  const patch = response.patch ? (JSON.parse(atob(response.patch)) as Operation[]) : [];
  const before = outcome.request.object;
  let diff = '';
  if (before && patch.length > 0) {
    const after = jsonPatch.applyPatch(deepCopy(before), patch, true, false).newDocument as JsonObject;
    diff = createTwoFilesPatch('object.yaml', 'object.yaml (patched)', stringify(before), stringify(after)).replace(/^=+\n/, '');
  }
  const status = response.status;
  const allowedHeadline = patch.length > 0 ? `Allowed, with a patch of ${plural(patch.length, 'operation')}` : 'Allowed';
  return {
    ...EMPTY,
    verdict: response.allowed ? 'allowed' : 'denied',
    headline: response.allowed ? allowedHeadline : `Denied: ${status?.code ?? ''} ${status?.reason ?? ''}`.trim(),
    kubectl: renderKubectl(outcome.request, response, WEBHOOK_NAMES[outcome.endpoint]),
    patch,
    diff,
    warnings: response.warnings ?? [],
    auditAnnotations: response.auditAnnotations ?? {},
    review: `${JSON.stringify(outcome.review, null, 2)}\n`,
  };
}
