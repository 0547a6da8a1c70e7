import { createHash } from 'node:crypto';
import type { JsonObject } from '../kube/types.js';
import { isJsonObject } from '../kube/types.js';
import { objectKey, splitKey } from '../kube/object-key.js';
import { stringMapOf, uidOf } from '../kube/object-meta.js';
import { isDns1123Subdomain, isLabelValue } from '../kube/name-rules.js';
import { apiVersionOfResource } from './api-client.js';
import type { Binding } from './binding.js';
import { renderSpec } from './field-copy.js';

/**
 * The claim: the cluster-scoped CR a binding keeps for each matching source
 * object. Everything that says "this CR stands for that source" lives here:
 * its name rule, the labels and annotation pointing back to the source, the
 * finalizer on the source, the CR the binding wants, and the cache index and
 * selector that find a binding's claims.
 */

/** SOURCE_ANNOTATION on a CR holds its source's `namespace/name`. */
export const SOURCE_ANNOTATION = 'portcullis.dev/source';
/** BINDING_LABEL on a CR names the binding that made it (the claims informer selects on it). */
export const BINDING_LABEL = 'portcullis.dev/binding';
/** SOURCE_NAMESPACE_LABEL, SOURCE_NAME_LABEL and SOURCE_UID_LABEL point from a CR back to its source. */
export const SOURCE_NAMESPACE_LABEL = 'portcullis.dev/source-namespace';
/** SOURCE_NAME_LABEL: see SOURCE_NAMESPACE_LABEL (omitted when the name is not a valid label value). */
export const SOURCE_NAME_LABEL = 'portcullis.dev/source-name';
/** SOURCE_UID_LABEL: see SOURCE_NAMESPACE_LABEL. */
export const SOURCE_UID_LABEL = 'portcullis.dev/source-uid';

/** finalizerFor returns the finalizer a binding puts on its sources. */
export function finalizerFor(binding: Binding): string {
  return `portcullis.dev/${binding.name}`;
}

/** claimSelector is the label selector of a binding's claims. */
export function claimSelector(binding: Binding): string {
  return `${BINDING_LABEL}=${binding.name}`;
}

/** sourceKeyOfClaim returns the source key recorded on a CR, or undefined for CRs not made by us. */
export function sourceKeyOfClaim(claim: JsonObject): string | undefined {
  return stringMapOf(claim, 'annotations')[SOURCE_ANNOTATION];
}

/** claimIndexers is the `source` index the claims informer needs: CR -> its source key. */
export const claimIndexers = {
  source: (claim: JsonObject): string[] => {
    const key = sourceKeyOfClaim(claim);
    return key && isJsonObject(claim.metadata) ? [key] : [];
  },
};

/** desiredClaim is the CR a binding wants for src under name: labels, annotation and the spec template. */
export function desiredClaim(binding: Binding, src: JsonObject, name: string): JsonObject {
  const { namespace, name: srcName } = splitKey(objectKey(src));
  const labels: JsonObject = { [BINDING_LABEL]: binding.name, [SOURCE_UID_LABEL]: uidOf(src) };
  if (namespace) labels[SOURCE_NAMESPACE_LABEL] = namespace;
  if (isLabelValue(srcName).length === 0) labels[SOURCE_NAME_LABEL] = srcName;
  return {
    apiVersion: apiVersionOfResource(binding.target),
    kind: binding.target.kind,
    metadata: { name, labels, annotations: { [SOURCE_ANNOTATION]: objectKey(src) } },
    spec: renderSpec(src, binding.spec),
  };
}

// The name rule: `<namespace>.<name>`. Namespaces cannot contain dots, so the first dot splits the pair
// unambiguously and distinct sources get distinct names. When the result is too long, or characters had to
// be replaced to make a valid DNS subdomain, a hash of the original pair is appended, keeping the name
// deterministic and collision-free in practice.
const HASH_LEN = 10;

function sanitize(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/(^|\.)[-.]+/g, '$1')
    .replace(/[-.]+(\.|$)/g, '$1');
}

function trimEnd(s: string): string {
  return s.replace(/[^a-z0-9]+$/, '');
}

/**
 * isDnsSubdomain tells whether s is a valid RFC 1123 subdomain (kube's rule) whose dot-separated labels
 * are also at most 63 long (DNS's own limit, stricter than the apiserver's, so names stay resolvable).
 */
export function isDnsSubdomain(s: string): boolean {
  return isDns1123Subdomain(s).length === 0 && s.split('.').every((label) => label.length <= 63);
}

/**
 * claimName returns the CR name for source `namespace/name`, at most maxLength
 * (default 253) characters and always a valid DNS subdomain.
 */
export function claimName(namespace: string, name: string, maxLength = 253): string {
  const plain = namespace ? `${namespace}.${name}` : name;
  const clean = sanitize(plain);
  if (clean === plain && clean.length <= maxLength && isDnsSubdomain(clean)) return clean;
  const hash = createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, HASH_LEN);
  const room = maxLength - HASH_LEN - 1;
  // Labels inside a subdomain are limited to 63: cut long ones so the result stays valid.
  const labels = trimEnd(clean.slice(0, room)).split('.').map((l) => trimEnd(l.slice(0, 63)));
  const head = labels.filter((l) => l !== '').join('.');
  const lastLabel = labels[labels.length - 1] ?? '';
  const sep = head === '' ? '' : lastLabel.length + 1 + HASH_LEN <= 63 ? '-' : '.';
  return `${head}${sep}${hash}`;
}
