import type { ConversionRequest, ConversionResponse, ConversionReviewRequest, ConversionReviewResponse } from './review.js';

/*
 * A conversion response is made from its request (kube-rs
 * `ConversionResponse::for_request(r).success(objs)` / `.failure(status)`),
 * so the uid can't be wrong and a success always carries one object per
 * request object. `ConversionResponse` itself is the wire type (review.ts).
 */

/** PendingConversionResponse is a response bound to its request, not yet decided. */
export interface PendingConversionResponse {
  /**
   * success answers with the converted objects. It throws when their count
   * differs from the request's: the apiserver would reject the answer
   * (`returned <n> objects, expected <m>`), so that is a bug of ours.
   */
  success(convertedObjects: ConversionResponse['convertedObjects']): ConversionResponse;
  /** failure answers `result.status: "Failure"` with message and no objects: an object that can't be converted. */
  failure(message: string): ConversionResponse;
  /**
   * errored answers a conversion that threw (a bug, not a bad object): a
   * Failure with message, like failure (the apiserver reads only status and
   * message of the result). The handler and the HTTP adapter answer every
   * throw through it.
   */
  errored(message: string): ConversionResponse;
}

/** conversionResponseFor binds a response to request (its uid and object count): `conversionResponseFor(request).success(objects)`. */
export function conversionResponseFor(request: Pick<ConversionRequest, 'uid' | 'objects'>): PendingConversionResponse {
  const failure = (message: string): ConversionResponse => ({ uid: request.uid, result: { status: 'Failure', message }, convertedObjects: [] });
  return {
    success(convertedObjects) {
      if (convertedObjects.length !== request.objects.length) {
        throw new Error(`conversionResponseFor(...).success: ${convertedObjects.length} objects for a request of ${request.objects.length}`);
      }
      return { uid: request.uid, result: { status: 'Success' }, convertedObjects };
    },
    failure,
    errored: failure,
  };
}

/** intoConversionReview wraps a response in a ConversionReview of the same apiVersion as the request. */
export function intoConversionReview(review: Pick<ConversionReviewRequest, 'apiVersion'>, response: ConversionResponse): ConversionReviewResponse {
  return { apiVersion: review.apiVersion, kind: 'ConversionReview', response };
}
