import { isJsonObject } from '../kube/types.js';
import type { JsonObject, JsonValue } from '../kube/types.js';
import { describeValue as describe } from '../kube/describe.js';
import { BadReviewError } from '../kube/errors.js';
import { ADMISSION_API_VERSIONS } from './review.js';
import type { AdmissionApiVersion, AdmissionReviewRequest, AdmissionRequest, Operation } from './review.js';

const OPERATIONS: ReadonlySet<string> = new Set<Operation>(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/**
 * parseAdmissionReview checks a decoded JSON body against the AdmissionReview
 * shape the apiserver sends (protocol.md §1.2) and returns it typed. It throws
 * BadReviewError with a message naming the offending field. It fills in,
 * in place, what the apiserver leaves implied (resource from kind, null for
 * absent objects, an empty userInfo) and never copies the objects, so the
 * caller must treat them as read-only.
 */
export function parseAdmissionReview(body: JsonValue): AdmissionReviewRequest {
  if (!isJsonObject(body)) throw new BadReviewError(`body must be a JSON object, got ${describe(body)}`);
  const apiVersion = body['apiVersion'];
  if (!ADMISSION_API_VERSIONS.includes(apiVersion as AdmissionApiVersion)) {
    throw new BadReviewError(`apiVersion must be one of ${ADMISSION_API_VERSIONS.join(', ')}, got ${describe(apiVersion)}`);
  }
  if (body['kind'] !== 'AdmissionReview') throw new BadReviewError(`kind must be AdmissionReview, got ${describe(body['kind'])}`);
  const request = body['request'];
  if (!isJsonObject(request)) throw new BadReviewError(`request must be an object, got ${describe(request)}`);
  checkRequest(request);
  return { apiVersion: apiVersion as AdmissionApiVersion, kind: 'AdmissionReview', request: request as unknown as AdmissionRequest };
}

/*
 * The request's fields are checked in a fixed order (uid, kind, resource,
 * operation, objects, userInfo, strings, dryRun), so the problem reported
 * first is stable.
 */
function checkRequest(request: JsonObject): void {
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '') throw new BadReviewError(`request.uid must be a non-empty string, got ${describe(uid)}`);
  checkTriple(request, 'kind', ['group', 'version', 'kind']);
  if (request['resource'] !== undefined) checkTriple(request, 'resource', ['group', 'version', 'resource']);
  else request['resource'] = { group: (request['kind'] as JsonObject)['group'] as string, version: (request['kind'] as JsonObject)['version'] as string, resource: '' };
  const operation = request['operation'];
  if (typeof operation !== 'string' || !OPERATIONS.has(operation)) {
    throw new BadReviewError(`request.operation must be one of CREATE, UPDATE, DELETE, CONNECT, got ${describe(operation)}`);
  }
  checkObjects(request);
  checkOptionalFields(request);
  if ((operation === 'CREATE' || operation === 'UPDATE') && request['object'] === null) {
    throw new BadReviewError(`request.object must be an object for ${operation}, got null`);
  }
}

/** checkObjects accepts object and oldObject as objects or null, and fills in null for absent ones. */
function checkObjects(request: JsonObject): void {
  for (const field of ['object', 'oldObject'] as const) {
    const value = request[field];
    if (value === undefined) request[field] = null;
    else if (value !== null && !isJsonObject(value)) throw new BadReviewError(`request.${field} must be an object or null, got ${describe(value)}`);
  }
}

/** checkOptionalFields checks userInfo (an empty one when absent), the optional strings and dryRun. */
function checkOptionalFields(request: JsonObject): void {
  const userInfo = request['userInfo'];
  if (userInfo === undefined || userInfo === null) request['userInfo'] = {};
  else if (!isJsonObject(userInfo)) throw new BadReviewError(`request.userInfo must be an object, got ${describe(userInfo)}`);
  for (const field of ['name', 'namespace', 'subResource'] as const) {
    const value = request[field];
    if (value !== undefined && value !== null && typeof value !== 'string') throw new BadReviewError(`request.${field} must be a string, got ${describe(value)}`);
  }
  const dryRun = request['dryRun'];
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean') throw new BadReviewError(`request.dryRun must be a boolean, got ${describe(dryRun)}`);
}

function checkTriple(request: JsonObject, field: string, keys: string[]): void {
  const value = request[field];
  if (!isJsonObject(value)) throw new BadReviewError(`request.${field} must be an object with ${keys.join(', ')}, got ${describe(value)}`);
  for (const key of keys) {
    const part = value[key];
    if (typeof part !== 'string') throw new BadReviewError(`request.${field}.${key} must be a string, got ${describe(part)}`);
  }
}
