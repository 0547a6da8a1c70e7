import type { ConversionRequest, ConversionResponse as ConversionResponseBody, ConversionReviewRequest, ConversionReviewResponse } from './review.js';

/*
 * A conversion response is made from its request (kube-rs
 * `ConversionResponse::for_request(r).success(objs)` / `.failure(status)`),
 * so the uid can't be wrong and a success always carries one object per
 * request object.
 */

/** PendingConversionResponse is a response bound to its request, not yet decided. */
export interface PendingConversionResponse {
  /**
   * success answers with the converted objects. It throws when their count
   * differs from the request's: the apiserver would reject the answer
   * (`returned <n> objects, expected <m>`), so that is a bug of ours.
   */
  success(convertedObjects: ConversionResponseBody['convertedObjects']): ConversionResponseBody;
  /** failure answers `result.status: "Failure"` with message and no objects. */
  failure(message: string): ConversionResponseBody;
}

/** ConversionResponse builds responses from their request: `ConversionResponse.for(request).success(objects)`. */
export const ConversionResponse = {
  /** for binds a response to request (its uid and object count). */
  for(request: Pick<ConversionRequest, 'uid' | 'objects'>): PendingConversionResponse {
    return {
      success(convertedObjects) {
        if (convertedObjects.length !== request.objects.length) {
          throw new Error(`ConversionResponse.success: ${convertedObjects.length} objects for a request of ${request.objects.length}`);
        }
        return { uid: request.uid, result: { status: 'Success' }, convertedObjects };
      },
      failure(message) {
        return { uid: request.uid, result: { status: 'Failure', message }, convertedObjects: [] };
      },
    };
  },
};

/** ConversionResponse is also the type of a built response (see review.ts). */
export type ConversionResponse = ConversionResponseBody;

/** intoConversionReview wraps a response in a ConversionReview of the same apiVersion as the request. */
export function intoConversionReview(review: Pick<ConversionReviewRequest, 'apiVersion'>, response: ConversionResponseBody): ConversionReviewResponse {
  return { apiVersion: review.apiVersion, kind: 'ConversionReview', response };
}
