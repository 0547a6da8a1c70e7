import { randomUUID } from 'node:crypto';
import jsonPatch from 'fast-json-patch';
import type { Operation as JsonPatchOperation } from 'fast-json-patch';
import { stringify } from 'yaml';
import { createMutateHandler, createValidateHandler } from '../admission/handlers.js';
import { parseAdmissionReview } from '../admission/parse-review.js';
import { intoReview } from '../admission/response.js';
import type { AdmissionRequest, AdmissionResponse } from '../admission/review.js';
import { createConversionHandler } from '../conversion/convert-review.js';
import { parseConversionReview } from '../conversion/parse-review.js';
import { intoConversionReview } from '../conversion/response.js';
import { deepCopy } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { buildObjectRequest } from '../policy/test-suite.js';
import { diagnosticMessage } from '../schema/crd-diagnostics.js';
import { DEFAULT_BODY_LIMIT } from '../server/read-json-body.js';
import { errorMessage } from '../kube/errors.js';
import { InputError, parseFlags, UsageError } from './args.js';
import { explainRequest } from './explain.js';
import type { Explanation } from './explain.js';
import { readInputFile, readInputs } from './input-documents.js';
import type { InputDocument } from './input-documents.js';
import { loadOfflineConfig, resolveSources, SOURCE_FLAGS, SOURCE_USAGE } from './sources.js';
import type { OfflineConfig } from './sources.js';
import { formatReviewText } from './review-text.js';
import type { ReviewResult } from './review-text.js';

/** REVIEW_USAGE documents `portcullis review`. */
export const REVIEW_USAGE = `Usage: portcullis review -f FILE|DIR|- [-f ...] [flags]

Run objects through the same code as the server, offline: each plain object
(YAML or JSON, several documents per file, folders of .yaml/.yml/.json files)
becomes the AdmissionReview the apiserver would send; AdmissionReview and
ConversionReview files are reviewed as they are. Prints what was decided.

Examples:
  portcullis review -f widget.yaml
  portcullis review -f new.yaml --old current.yaml --user ann --group devs
  kubectl get widgets -A -o yaml | portcullis review -f - --explain
  portcullis review -f review.json -o json | jq .response.allowed

Flags:
  -f, --filename PATH  object or review file, folder or - (stdin), repeatable
  --operation OP       CREATE (default), UPDATE (default with --old), DELETE
                       (the object is the one deleted) or CONNECT
  --old FILE           the object(s) before an UPDATE, matched by kind,
                       namespace and name
  --user NAME          requesting user (default test-user)
  --group NAME         the user's group, repeatable (default system:authenticated)
  -n, --namespace NS   namespace of the request (default: the object's)
  --subresource NAME   e.g. status
  --dry-run            mark the request as a dry run
  --endpoint NAME      mutate (default: defaults, policy mutations, then
                       validation of the result) or validate
  --explain            list the CRD schema and the policies that matched, and
                       what each rule and mutation decided
  --show-patch         also show the decoded patch and the resulting object
  -o, --output FMT     text (default for objects), json (default for review
                       files: the response review) or yaml
${SOURCE_USAGE}
Inputs over 7 MiB are refused, as the server refuses them.
Exit status: 0 all allowed (converted), 1 any denied (conversion failed),
2 bad usage or unreadable input.
`;

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;

/** ReviewFlags are the parsed flags of `review` that shape the requests built from plain objects. */
interface ObjectFlags {
  operation?: string;
  user?: string;
  group?: string[];
  namespace?: string;
  subresource?: string;
  'dry-run'?: boolean;
}

const REVIEW_FLAGS = {
  filename: { type: 'string', short: 'f', multiple: true },
  operation: { type: 'string' },
  old: { type: 'string' },
  user: { type: 'string' },
  group: { type: 'string', multiple: true },
  namespace: { type: 'string', short: 'n' },
  subresource: { type: 'string' },
  'dry-run': { type: 'boolean' },
  endpoint: { type: 'string' },
  explain: { type: 'boolean' },
  'show-patch': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  ...SOURCE_FLAGS,
} as const;

const identity = (value: JsonValue) => {
  const o = isJsonObject(value) ? value : {};
  const meta = isJsonObject(o['metadata']) ? o['metadata'] : {};
  return `${String(o['apiVersion'])}/${String(o['kind'])} ${typeof meta['namespace'] === 'string' ? `${meta['namespace']}/` : ''}${String(meta['name'] ?? meta['generateName'] ?? '')}`;
};

function decodePatch(response: AdmissionResponse): JsonPatchOperation[] {
  return response.patch ? (JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as JsonPatchOperation[]) : [];
}

function checkSize(review: JsonValue, doc: InputDocument): void {
  const size = Buffer.byteLength(JSON.stringify(review));
  if (size > DEFAULT_BODY_LIMIT) throw new InputError(`${doc.file}: document ${doc.index}: the AdmissionReview for it is ${(size / 1048576).toFixed(1)} MiB, more than the 7.0 MiB the server accepts`);
}

function objectRequest(doc: InputDocument, old: JsonObject | undefined, flags: ObjectFlags, config: OfflineConfig): AdmissionRequest {
  const object = doc.value as JsonObject;
  const operation = (flags.operation?.toUpperCase() ?? (old ? 'UPDATE' : 'CREATE')) as (typeof OPERATIONS)[number];
  if (operation === 'UPDATE' && !old) throw new UsageError(`${doc.file}: document ${doc.index}: an UPDATE needs the object before it: pass --old FILE`);
  const meta = isJsonObject(object['metadata']) ? object['metadata'] : {};
  if (flags.namespace !== undefined && typeof meta['namespace'] === 'string' && meta['namespace'] !== flags.namespace) {
    throw new InputError(`${doc.file}: document ${doc.index}: the object's namespace ${JSON.stringify(meta['namespace'])} does not match --namespace ${JSON.stringify(flags.namespace)}`);
  }
  const plural = (group: string, kind: string) => config.config.crds.crds.find((c) => c.spec.group === group && c.spec.names.kind === kind)?.spec.names.plural;
  const raw: JsonObject = {
    operation,
    object: operation === 'DELETE' ? null : object,
    oldObject: operation === 'DELETE' ? object : (old ?? null),
    dryRun: flags['dry-run'] === true,
  };
  if (flags.user !== undefined) raw['user'] = flags.user;
  if (flags.group !== undefined) raw['groups'] = flags.group;
  if (flags.namespace !== undefined) raw['namespace'] = flags.namespace;
  if (flags.subresource !== undefined) raw['subResource'] = flags.subresource;
  const fail = (field: string, message: string): never => {
    throw new InputError(`${doc.file}: document ${doc.index}: ${field ? `${field}: ` : ''}${message}`);
  };
  const request = buildObjectRequest(raw, randomUUID(), (gvk) => plural(gvk.group, gvk.kind), fail) as AdmissionRequest;
  return request;
}

function admissionResult(request: AdmissionRequest, apiVersion: 'admission.k8s.io/v1' | 'admission.k8s.io/v1beta1', endpoint: 'mutate' | 'validate', config: OfflineConfig, explain: boolean): ReviewResult {
  const chain = () => config.config.chain;
  const handler = endpoint === 'mutate' ? createMutateHandler({ chain }) : createValidateHandler({ chain });
  const response = handler(request);
  const patch = decodePatch(response);
  const object = request.object ? (jsonPatch.applyPatch(deepCopy(request.object), patch, true, false).newDocument as JsonObject) : null;
  const explanation: Explanation | undefined = explain ? explainRequest(config.config, request, endpoint) : undefined;
  return { kind: 'admission', request, review: intoReview({ apiVersion }, response) as unknown as JsonObject, response, patch, object, explanation };
}

function oldIndex(docs: readonly InputDocument[]): Map<string, JsonObject> {
  const index = new Map<string, JsonObject>();
  for (const doc of docs) if (isJsonObject(doc.value)) index.set(identity(doc.value), doc.value);
  return index;
}

function reviewDocument(doc: InputDocument, olds: InputDocument[], flags: ObjectFlags & { endpoint: 'mutate' | 'validate'; explain: boolean }, config: OfflineConfig): ReviewResult {
  const value = doc.value;
  if (!isJsonObject(value)) throw new InputError(`${doc.file}: document ${doc.index}: expected an object with apiVersion and kind, got ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`);
  const where = (err: unknown): never => {
    throw new InputError(`${doc.file}: document ${doc.index}: ${errorMessage(err)}`);
  };
  if (value['kind'] === 'ConversionReview') {
    let review;
    try {
      review = parseConversionReview(value);
    } catch (err) {
      return where(err);
    }
    const converted = createConversionHandler({ registry: () => config.conversions })(review.request);
    return { kind: 'conversion', review: intoConversionReview(review, converted) as unknown as JsonObject, converted: converted.result.status === 'Success', message: converted.result.message };
  }
  if (value['kind'] === 'AdmissionReview') {
    let review;
    try {
      review = parseAdmissionReview(value);
    } catch (err) {
      return where(err);
    }
    checkSize(value, doc);
    return admissionResult(review.request, review.apiVersion, flags.endpoint, config, flags.explain);
  }
  const old = olds.length === 1 ? (olds[0]?.value as JsonObject) : oldIndex(olds).get(identity(value));
  if (olds.length > 1 && !old) throw new InputError(`${doc.file}: document ${doc.index}: --old holds no object with the same kind, namespace and name (${identity(value)})`);
  const request = objectRequest(doc, old, flags, config);
  checkSize({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request } as unknown as JsonValue, doc);
  return admissionResult(request, 'admission.k8s.io/v1', flags.endpoint, config, flags.explain);
}

function machineResult(result: ReviewResult, showPatch: boolean): JsonValue {
  if (result.kind === 'conversion' || (!showPatch && !result.explanation)) return result.review;
  const out: JsonObject = { review: result.review };
  if (showPatch) {
    out['patch'] = result.patch as unknown as JsonValue;
    out['object'] = result.object;
  }
  if (result.explanation) out['explain'] = result.explanation as unknown as JsonValue;
  return out;
}

/** runReview reviews every input document and prints the results; returns the exit status. */
export async function runReview(argv: string[], io: { stdout: (s: string) => void; stdin: () => Promise<string>; stderr?: (s: string) => void }): Promise<number> {
  const { values, positionals } = parseFlags(argv, REVIEW_FLAGS, true);
  const inputs = [...(values.filename ?? []), ...positionals];
  if (inputs.length === 0) throw new UsageError('review needs something to review: -f FILE, a folder, or - for standard input');
  const endpoint = values.endpoint ?? 'mutate';
  if (endpoint !== 'mutate' && endpoint !== 'validate') throw new UsageError(`--endpoint must be mutate or validate, got ${JSON.stringify(endpoint)}`);
  if (values.operation !== undefined && !(OPERATIONS as readonly string[]).includes(values.operation.toUpperCase())) {
    throw new UsageError(`--operation must be one of ${OPERATIONS.join(', ')}, got ${JSON.stringify(values.operation)}`);
  }
  const output = values.output;
  if (output !== undefined && output !== 'text' && output !== 'json' && output !== 'yaml') throw new UsageError(`--output must be text, json or yaml, got ${JSON.stringify(output)}`);
  const docs = await readInputs(inputs, io.stdin, DEFAULT_BODY_LIMIT);
  const olds = values.old === undefined ? [] : await readInputFile(values.old, '--old', DEFAULT_BODY_LIMIT);
  const config = await loadOfflineConfig(await resolveSources(values));
  const stderr = io.stderr ?? ((s: string) => void process.stderr.write(s));
  for (const d of config.config.crds.diagnostics) stderr(`warning: ${diagnosticMessage(d)}\n`);
  const flags = { ...values, endpoint, explain: values.explain === true } as ObjectFlags & { endpoint: 'mutate' | 'validate'; explain: boolean };
  const results = docs.map((doc) => reviewDocument(doc, olds, flags, config));
  const reviewsOnly = docs.every((d) => isJsonObject(d.value) && (d.value['kind'] === 'AdmissionReview' || d.value['kind'] === 'ConversionReview'));
  const format = output ?? (reviewsOnly ? 'json' : 'text');
  const showPatch = values['show-patch'] === true;
  if (format === 'text') io.stdout(formatReviewText(results, showPatch));
  else {
    const machine = results.map((r) => machineResult(r, showPatch));
    const value = machine.length === 1 ? (machine[0] as JsonValue) : machine;
    io.stdout(format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 }));
  }
  const failed = results.some((r) => (r.kind === 'admission' ? !r.response.allowed : !r.converted));
  return failed ? 1 : 0;
}
