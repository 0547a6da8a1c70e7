import { readFile } from 'node:fs/promises';
import { createMutateHandler, createValidateHandler } from '../admission/handlers.js';
import { parseAdmissionReview } from '../admission/parse-review.js';
import { intoReview } from '../admission/response.js';
import { createCelExpressionEngine } from '../conversion/cel-expressions.js';
import { loadConversions } from '../conversion/conversion-loader.js';
import { createConversionHandler } from '../conversion/convert-review.js';
import { parseConversionReview } from '../conversion/parse-review.js';
import { intoConversionReview } from '../conversion/response.js';
import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { deepCopy } from '../kube/safe-object.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonValue } from '../kube/types.js';
import { loadRuntimeConfig } from '../server/admission-runtime.js';
import { diagnosticMessage } from '../schema/crd-diagnostics.js';
import { parseFlags, UsageError } from './args.js';
import { errorMessage } from '../kube/errors.js';

/** REVIEW_USAGE documents `portcullis review`. */
export const REVIEW_USAGE = `Usage: portcullis review [flags] FILE|-

Run an AdmissionReview or a ConversionReview (JSON or YAML) through the
same code as the server, offline, and print the response review as JSON.
A ConversionReview uses the Conversion documents under --policies.

Flags:
  --endpoint NAME    mutate (default: defaults, policy mutations, then
                     validation of the result) or validate
  --crds PATH        CRD YAML file or folder, repeatable (default manifests/crds)
  --policies PATH    policy file or folder, repeatable (default policies)
  --show-patch       also print the decoded patch and the resulting object

Exit status: 0 allowed (converted), 1 denied (conversion failed), 2 bad usage
or unreadable input.
`;

/** runReview reviews one file and prints the result; returns the exit status. */
export async function runReview(argv: string[], io: { stdout: (s: string) => void; stdin: () => Promise<string>; stderr?: (s: string) => void }): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    endpoint: { type: 'string' },
    crds: { type: 'string', multiple: true },
    policies: { type: 'string', multiple: true },
    'show-patch': { type: 'boolean' },
  }, true);
  if (positionals.length !== 1) throw new UsageError('review takes exactly one FILE (or - for standard input)');
  const endpoint = values.endpoint ?? 'mutate';
  if (endpoint !== 'mutate' && endpoint !== 'validate') throw new UsageError(`--endpoint must be mutate or validate, got ${JSON.stringify(endpoint)}`);
  const file = positionals[0] as string;
  const text = file === '-' ? await io.stdin() : await readFile(file, 'utf8');
  const body = await parseInput(text, file);
  const config = await loadRuntimeConfig({ crdPaths: values.crds ?? ['manifests/crds'], policyPaths: values.policies ?? ['policies'] });
  const stderr = io.stderr ?? ((s: string) => void process.stderr.write(s));
  for (const d of config.crds.diagnostics) stderr(`warning: ${diagnosticMessage(d)}\n`);
  if (isJsonObject(body) && body['kind'] === 'ConversionReview') {
    const conversions = await loadConversions({ policyPaths: values.policies ?? ['policies'], crds: config.crds.crds, engine: createCelExpressionEngine() });
    const conversionReview = parseConversionReview(body);
    const converted = createConversionHandler({ registry: () => conversions })(conversionReview.request);
    io.stdout(`${JSON.stringify(intoConversionReview(conversionReview, converted), null, 2)}\n`);
    return converted.result.status === 'Success' ? 0 : 1;
  }
  const chain = () => config.chain;
  const review = parseAdmissionReview(body);
  const handler = endpoint === 'mutate' ? createMutateHandler({ chain }) : createValidateHandler({ chain });
  const response = handler(review.request);
  io.stdout(`${JSON.stringify(intoReview(review, response), null, 2)}\n`);
  if (values['show-patch']) {
    const ops = response.patch ? (JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as Operation[]) : [];
    io.stdout(`--- patch\n${JSON.stringify(ops, null, 2)}\n`);
    if (review.request.object) {
      const result = jsonPatch.applyPatch(deepCopy(review.request.object), ops, true, false).newDocument;
      io.stdout(`--- object\n${JSON.stringify(result, null, 2)}\n`);
    }
  }
  return response.allowed ? 0 : 1;
}

async function parseInput(text: string, file: string): Promise<JsonValue> {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    const { parse } = await import('yaml');
    try {
      return parse(text) as JsonValue;
    } catch (err) {
      throw new UsageError(`${file}: neither JSON nor YAML: ${errorMessage(err)}`);
    }
  }
}

