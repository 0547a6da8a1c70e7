import type { UnsupportedCheck } from './compile-validator.js';
import type { Schema } from './structural.js';

/**
 * CrdDiagnostic is one check of a loaded CRD that Portcullis does not
 * enforce because it cannot compile it (a CEL rule its engine rejects). The apiserver still enforces it; Portcullis enforces
 * every other check of the CRD. The server logs each once and counts them in
 * a metric; `review` and `test` print them as warnings.
 */
export interface CrdDiagnostic {
  /** crd is the CRD's metadata.name. */
  crd: string;
  file: string;
  version: string;
  /** field is the schema node holding the check, as an object path (`spec.rules[*]`, `` for the root). */
  field: string;
  /** what names the check, e.g. `x-kubernetes-validations rule "isIP(self.address)"`. */
  what: string;
  /** reason is why it does not compile. */
  reason: string;
}

/** diagnosticMessage words a diagnostic on one line, naming the CRD, version, field and check. */
export function diagnosticMessage(d: CrdDiagnostic): string {
  const at = d.field === '' ? 'the root' : d.field;
  return `CRD ${d.crd} (${d.file}) version ${d.version}: ${d.what} at ${at} is not checked by Portcullis (the apiserver still checks it): ${d.reason}`;
}

/** DiagnosticCollector gathers one CRD version's unsupported checks, each once. */
export interface DiagnosticCollector {
  report(check: UnsupportedCheck): void;
  readonly diagnostics: readonly CrdDiagnostic[];
}

/** createDiagnosticCollector returns a collector for one CRD version; field paths come from a walk of its schema. */
export function createDiagnosticCollector(at: { crd: string; file: string; version: string }, schema: Schema | undefined): DiagnosticCollector {
  const paths = new Map<Schema, string>();
  if (schema !== undefined) walk(schema, '', paths);
  const seen = new Set<string>();
  const diagnostics: CrdDiagnostic[] = [];
  return {
    report(check) {
      const field = paths.get(check.schema) ?? '';
      const key = `${field}\u0000${check.what}`;
      if (seen.has(key)) return;
      seen.add(key);
      diagnostics.push({ ...at, field, what: check.what, reason: check.error.message });
    },
    diagnostics,
  };
}

function walk(schema: Schema, path: string, paths: Map<Schema, string>): void {
  if (paths.has(schema)) return;
  paths.set(schema, path);
  for (const [name, sub] of Object.entries(schema.properties ?? {})) walk(sub, path === '' ? name : `${path}.${name}`, paths);
  if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${path}[*]`, paths);
  if (schema.items !== undefined) walk(schema.items, `${path}[*]`, paths);
  for (const sub of [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.not ? [schema.not] : [])]) walk(sub, path, paths);
}
