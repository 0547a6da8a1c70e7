import { parseApiVersion } from '../kube/gvk.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject } from '../kube/types.js';
import { convertLossless } from './convert-object.js';
import type { ProblemSink } from './convert-object.js';
import { ConversionError } from './conversion-error.js';
import type { ConverterRegistry } from './converter-registry.js';
import { errorMessage } from '../kube/errors.js';
import { conversionResponseFor } from './response.js';
import type { ConversionRequest, ConversionResponse } from './review.js';

/** ConversionHandler turns one conversion request into its response. It never throws. */
export type ConversionHandler = (request: ConversionRequest) => ConversionResponse;

/** ConversionHandlerOptions configures createConversionHandler. */
export interface ConversionHandlerOptions {
  /** registry returns the converters in force; called once per request, so a reload swaps them atomically. */
  registry: () => ConverterRegistry;
  /** onError hears about converter bugs (throws that are not ConversionError); default ignores them. */
  onError?: (err: Error, request: ConversionRequest) => void;
  /**
   * onWarning hears about conversion data that was ignored (a hand-edited
   * annotation that is not our JSON, say), as `<namespace>/<name>: <what>`;
   * the object still converts. Default ignores them.
   */
  onWarning?: (message: string, request: ConversionRequest) => void;
}

/**
 * createConversionHandler returns the /convert handler (protocol.md §2.2).
 * Every object is converted to desiredAPIVersion in order; objects already
 * in that version come back unchanged (the very same object). The first
 * object that can't be converted fails the whole review with a message
 * `<namespace>/<name>: <apiVersion> -> <desiredAPIVersion>: <field>: <problem>`
 * (`<name>: ...` when cluster-scoped): the apiserver needs all of them or
 * none.
 */
export function createConversionHandler(options: ConversionHandlerOptions): ConversionHandler {
  return (request) => {
    const pending = conversionResponseFor(request);
    const registry = options.registry();
    const desired = parseApiVersion(request.desiredAPIVersion);
    const out: JsonObject[] = [];
    const target = { ...desired, apiVersion: request.desiredAPIVersion };
    let current: JsonObject | undefined;
    // One sink per review, naming the object being converted: problems are rare, objects many.
    const report: ProblemSink = (problem) => options.onWarning?.(`${objectName(current ?? {})}: ${problem}`, request);
    for (const object of request.objects) {
      current = object;
      try {
        out.push(convertOne(registry, object, target, report));
      } catch (err) {
        const where = `${objectName(object)}: ${String(object['apiVersion'])} -> ${request.desiredAPIVersion}`;
        if (err instanceof ConversionError) return pending.failure(`${where}: ${err.message}`);
        options.onError?.(err instanceof Error ? err : new Error(String(err)), request);
        return pending.errored(`${where}: converter failed: ${errorMessage(err)}`);
      }
    }
    return pending.success(out);
  };
}

function convertOne(registry: ConverterRegistry, object: JsonObject, desired: { group: string; version: string; apiVersion: string }, report: ProblemSink): JsonObject {
  const apiVersion = object['apiVersion'] as string;
  if (apiVersion === desired.apiVersion) return object;
  const source = parseApiVersion(apiVersion);
  const kind = object['kind'] as string;
  if (source.group !== desired.group) {
    throw new ConversionError({ field: 'apiVersion', message: `${JSON.stringify(apiVersion)} is not in group ${JSON.stringify(desired.group)} of desiredAPIVersion` });
  }
  const converter = registry.lookup(source.group, kind);
  if (!converter) throw new ConversionError({ field: 'kind', message: `no converter is configured for ${source.group}/${kind}` });
  for (const version of [source.version, desired.version]) {
    if (!converter.versions.includes(version)) {
      throw new ConversionError({ field: 'apiVersion', message: `version ${JSON.stringify(version)} of ${source.group}/${kind} has no converter (known: ${converter.versions.join(', ')})` });
    }
  }
  return convertLossless(converter, object, source.version, desired.version, report);
}

/** objectName names an object as `namespace/name`, or `name` when cluster-scoped (`<unnamed>` without one). */
export function objectName(object: JsonObject): string {
  const metadata = isJsonObject(object['metadata']) ? object['metadata'] : {};
  const name = typeof metadata['name'] === 'string' && metadata['name'] !== '' ? metadata['name'] : '<unnamed>';
  const namespace = typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '' ? metadata['namespace'] : undefined;
  return namespace ? `${namespace}/${name}` : name;
}
