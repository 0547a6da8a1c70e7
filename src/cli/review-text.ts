import type { Operation as JsonPatchOperation } from 'fast-json-patch';
import type { AdmissionRequest, AdmissionResponse } from '../admission/review.js';
import type { JsonObject } from '../kube/types.js';
import { formatExplanation } from './explain.js';
import type { Explanation } from './explain.js';

/** ReviewResult is the outcome of one reviewed document: an admission decision or a conversion. */
export type ReviewResult =
  | {
      kind: 'admission';
      request: AdmissionRequest;
      /** review is the response AdmissionReview, as the server would answer. */
      review: JsonObject;
      response: AdmissionResponse;
      patch: JsonPatchOperation[];
      /** object is the request's object with the patch applied (null on DELETE). */
      object: JsonObject | null;
      explanation?: Explanation;
    }
  | { kind: 'conversion'; review: JsonObject; converted: boolean; message?: string };

const indent = (text: string, by = '  ') => text.replace(/\n$/, '').split('\n').map((line) => `${by}${line}`).join('\n');

function subject(request: AdmissionRequest): string {
  const kind = request.kind.group === '' ? request.kind.kind : `${request.kind.kind}.${request.kind.group}`;
  const meta = (request.object ?? request.oldObject)?.['metadata'] as JsonObject | undefined;
  const name = request.name || (typeof meta?.['name'] === 'string' ? meta['name'] : typeof meta?.['generateName'] === 'string' ? `${meta['generateName']}*` : '');
  const sub = request.subResource ? `/${request.subResource}` : '';
  return `${kind} ${request.namespace ? `${request.namespace}/` : ''}${name}${sub} (${request.operation}${request.dryRun ? ', dry run' : ''})`;
}

function admissionText(result: Extract<ReviewResult, { kind: 'admission' }>, showPatch: boolean): string {
  const { response } = result;
  const lines: string[] = [];
  const status = response.status;
  lines.push(`${subject(result.request)}: ${response.allowed ? 'allowed' : `denied${status?.code ? ` (${status.code} ${status.reason ?? ''})`.replace(/ \)$/, ')') : ''}`}`);
  if (!response.allowed && status?.message) lines.push(`  ${status.message}`);
  for (const warning of response.warnings ?? []) lines.push(`  warning: ${warning}`);
  for (const [key, value] of Object.entries(response.auditAnnotations ?? {})) lines.push(`  audit ${key}: ${value}`);
  if (result.patch.length > 0) {
    if (showPatch) {
      lines.push('  patch:');
      for (const op of result.patch) lines.push(`    ${op.op} ${op.path}${'value' in op ? ` = ${JSON.stringify(op.value)}` : ''}${'from' in op ? ` from ${op.from}` : ''}`);
    } else lines.push(`  patched: ${result.patch.length} operation${result.patch.length === 1 ? '' : 's'} (--show-patch to list them)`);
  }
  if (showPatch && result.object) lines.push('  object:', indent(JSON.stringify(result.object, null, 2), '    '));
  if (result.explanation) lines.push(indent(formatExplanation(result.explanation)));
  return lines.join('\n');
}

/** formatReviewText renders results for the terminal: one heading line per document, then what matters about it. */
export function formatReviewText(results: readonly ReviewResult[], showPatch: boolean): string {
  const blocks = results.map((result) => {
    if (result.kind === 'admission') return admissionText(result, showPatch);
    const uid = (result.review['response'] as JsonObject | undefined)?.['uid'];
    return `ConversionReview ${String(uid)}: ${result.converted ? 'converted' : `failed${result.message ? `\n  ${result.message}` : ''}`}`;
  });
  return `${blocks.join('\n')}\n`;
}
