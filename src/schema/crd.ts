import type { ScaleSubresource } from './scale.js';
import type { Schema } from './structural.js';

/**
 * CustomResourceDefinition is the part of an apiextensions.k8s.io/v1 CRD that
 * Portcullis reads.
 */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: {
    group: string;
    names: { kind: string; plural: string; singular?: string; listKind?: string; shortNames?: string[] };
    scope: 'Namespaced' | 'Cluster';
    versions: CrdVersion[];
    conversion?: { strategy: 'None' | 'Webhook'; webhook?: unknown };
    preserveUnknownFields?: boolean;
  };
}

/** CrdVersion is one entry of a CRD's spec.versions. */
export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: { status?: Record<string, never> | null; scale?: ScaleSubresource | null };
}
