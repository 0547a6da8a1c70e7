import type { GroupVersionKind, GroupVersionResource, JsonObject, Status, UserInfo } from '../kube/types.js';

/** AdmissionApiVersion is an AdmissionReview apiVersion this server speaks. */
export type AdmissionApiVersion = 'admission.k8s.io/v1' | 'admission.k8s.io/v1beta1';

/** ADMISSION_API_VERSIONS lists the AdmissionReview versions accepted, newest first. */
export const ADMISSION_API_VERSIONS: readonly AdmissionApiVersion[] = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'];

/** Operation is the API operation an admission request is about. */
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/**
 * AdmissionRequest is `request` of an AdmissionReview (identical in v1 and
 * v1beta1). `object` is null on DELETE, `oldObject` null on CREATE/CONNECT.
 */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: UserInfo;
  object: JsonObject | null;
  oldObject: JsonObject | null;
  dryRun?: boolean;
  options?: JsonObject | null;
}

/** AdmissionResponse is `response` of an AdmissionReview. Build it with the helpers in response.ts. */
export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: Status;
  readonly patch?: string;
  readonly patchType?: 'JSONPatch';
  readonly warnings?: string[];
  readonly auditAnnotations?: Record<string, string>;
}

/** AdmissionReviewRequest is a decoded, checked AdmissionReview as received. */
export interface AdmissionReviewRequest {
  apiVersion: AdmissionApiVersion;
  kind: 'AdmissionReview';
  request: AdmissionRequest;
}

/** AdmissionReviewResponse is the AdmissionReview sent back to the apiserver. */
export interface AdmissionReviewResponse {
  apiVersion: AdmissionApiVersion;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}
