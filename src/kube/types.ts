/**
 * Plain data types of the Kubernetes API that every layer shares. They carry
 * no behaviour; helpers live beside them, one concept per file.
 */

/** JSON value as decoded by JSON.parse. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** JSON object as decoded by JSON.parse. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** GroupVersionKind names a kind in one API version; group is "" for core. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** GroupVersionResource names a resource in one API version; group is "" for core. */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** UserInfo is the authenticated user that made an API request. */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** StatusCause is one cause of a metav1.Status failure, usually a field problem. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** Status is metav1.Status as carried in admission and conversion responses. */
export interface Status {
  metadata?: Record<string, never>;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: StatusCause[];
  };
  code?: number;
}

/** isJsonObject tells whether a JSON value is a (non-array, non-null) object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
