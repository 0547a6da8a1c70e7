import { describeValue as describe } from '../kube/describe.js';
import { BadReviewError } from '../kube/errors.js';
import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { CONVERSION_API_VERSIONS } from './review.js';
import type { ConversionApiVersion, ConversionRequest, ConversionReviewRequest } from './review.js';

/**
 * parseConversionReview checks a decoded JSON body against the
 * ConversionReview shape the apiserver sends (protocol.md §2.1) and returns
 * it typed. It throws BadReviewError naming the offending field. A stub
 * `response` field in the request is ignored. Objects are not copied: the
 * caller must treat them as read-only.
 */
export function parseConversionReview(body: JsonValue): ConversionReviewRequest {
  if (!isJsonObject(body)) throw new BadReviewError(`body must be a JSON object, got ${describe(body)}`);
  const apiVersion = body['apiVersion'];
  if (!CONVERSION_API_VERSIONS.includes(apiVersion as ConversionApiVersion)) {
    throw new BadReviewError(`apiVersion must be one of ${CONVERSION_API_VERSIONS.join(', ')}, got ${describe(apiVersion)}`);
  }
  if (body['kind'] !== 'ConversionReview') throw new BadReviewError(`kind must be ConversionReview, got ${describe(body['kind'])}`);
  const request = body['request'];
  if (!isJsonObject(request)) throw new BadReviewError(`request must be an object, got ${describe(request)}`);
  return { apiVersion: apiVersion as ConversionApiVersion, kind: 'ConversionReview', request: checkRequest(request) };
}

function checkRequest(request: JsonObject): ConversionRequest {
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '') throw new BadReviewError(`request.uid must be a non-empty string, got ${describe(uid)}`);
  const desired = request['desiredAPIVersion'];
  if (typeof desired !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(desired)) {
    throw new BadReviewError(`request.desiredAPIVersion must be "group/version", got ${describe(desired)}`);
  }
  const objects = request['objects'];
  if (!Array.isArray(objects)) throw new BadReviewError(`request.objects must be an array, got ${describe(objects)}`);
  objects.forEach((object, i) => {
    if (!isJsonObject(object)) throw new BadReviewError(`request.objects[${i}] must be an object, got ${describe(object)}`);
    if (typeof object['apiVersion'] !== 'string' || object['apiVersion'] === '') {
      throw new BadReviewError(`request.objects[${i}].apiVersion must be a non-empty string, got ${describe(object['apiVersion'])}`);
    }
    if (typeof object['kind'] !== 'string' || object['kind'] === '') {
      throw new BadReviewError(`request.objects[${i}].kind must be a non-empty string, got ${describe(object['kind'])}`);
    }
    if (!isJsonObject(object['metadata'])) throw new BadReviewError(`request.objects[${i}].metadata must be an object, got ${describe(object['metadata'])}`);
  });
  return { uid, desiredAPIVersion: desired, objects: objects as JsonObject[] };
}
