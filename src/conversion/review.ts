import type { JsonObject, Status } from '../kube/types.js';

/** ConversionApiVersion is a ConversionReview apiVersion this server speaks. */
export type ConversionApiVersion = 'apiextensions.k8s.io/v1' | 'apiextensions.k8s.io/v1beta1';

/** CONVERSION_API_VERSIONS lists the ConversionReview versions accepted, newest first. */
export const CONVERSION_API_VERSIONS: readonly ConversionApiVersion[] = ['apiextensions.k8s.io/v1', 'apiextensions.k8s.io/v1beta1'];

/**
 * ConversionRequest is `request` of a ConversionReview (identical in v1 and
 * v1beta1): convert every object to desiredAPIVersion (`group/version`).
 * Objects are full stored objects; a LIST may mix source versions.
 */
export interface ConversionRequest {
  uid: string;
  desiredAPIVersion: string;
  objects: JsonObject[];
}

/**
 * ConversionResponse is `response` of a ConversionReview. Build it only with
 * the ConversionResponse helpers in response.ts: uid and result can't be wrong.
 */
export interface ConversionResponse {
  readonly uid: string;
  readonly result: Status;
  readonly convertedObjects: JsonObject[];
}

/** ConversionReviewRequest is a decoded, checked ConversionReview as received. */
export interface ConversionReviewRequest {
  apiVersion: ConversionApiVersion;
  kind: 'ConversionReview';
  request: ConversionRequest;
}

/** ConversionReviewResponse is the ConversionReview sent back to the apiserver. */
export interface ConversionReviewResponse {
  apiVersion: ConversionApiVersion;
  kind: 'ConversionReview';
  response: ConversionResponse;
}
