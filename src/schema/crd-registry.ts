import type { GroupVersionKind, GroupVersionResource } from '../kube/types.js';
import { gvkKey } from '../kube/gvk.js';
import { compileValidator } from './compile-validator.js';
import type { NodeExtension, ObjectValidator, ValidationPass } from './compile-validator.js';
import type { CustomResourceDefinition, CrdVersion } from './crd.js';
import type { LoadedCrd } from './crd-loader.js';
import { compileDefaulter } from './defaulting.js';
import type { Defaulter } from './defaulting.js';
import { LoadError } from '../kube/load-error.js';
import { compileUnknownFieldFinder } from './pruning.js';
import type { UnknownFieldFinder } from './pruning.js';
import type { ScaleSubresource } from './scale.js';
import { compileScaleValidator } from './scale-request.js';
import type { ScaleValidator } from './scale-request.js';
import type { Schema } from './structural.js';
import { errorMessage } from '../kube/errors.js';
import { createDiagnosticCollector } from './crd-diagnostics.js';
import type { CrdDiagnostic } from './crd-diagnostics.js';

function gvrKey(gvr: GroupVersionResource): string {
  return `${gvr.group}/${gvr.version}/${gvr.resource}`;
}

/** CompiledVersion is one served version of a CRD with its schema compiled. */
export interface CompiledVersion {
  crd: CustomResourceDefinition;
  version: CrdVersion;
  gvk: GroupVersionKind;
  schema: Schema | undefined;
  validator: ObjectValidator | null;
  defaulter: Defaulter | null;
  /** unknownFields lists the fields the apiserver would prune from an object (null without a schema). */
  unknownFields: UnknownFieldFinder | null;
  /** statusSubresource is true when this version serves /status (create and update then reset status). */
  statusSubresource: boolean;
  /** scale is this version's scale subresource, or null. */
  scale: ScaleSubresource | null;
  /** scaleValidator judges /scale updates (null without a scale subresource or schema). */
  scaleValidator: ScaleValidator | null;
  /** diagnostics are the checks of this version Portcullis cannot compile and skips. */
  diagnostics: readonly CrdDiagnostic[];
}

/** CrdRegistry finds the compiled schema of a kind in one version. */
export interface CrdRegistry {
  /** lookup returns the compiled version for a GVK, or undefined when no loaded CRD serves it. */
  lookup(gvk: GroupVersionKind): CompiledVersion | undefined;
  /** lookupResource returns the compiled version serving a resource (plural) in one version, e.g. for a /scale request, whose kind is autoscaling/v1 Scale. */
  lookupResource(gvr: GroupVersionResource): CompiledVersion | undefined;
  /** crds lists the loaded CRDs in load order. */
  readonly crds: readonly CustomResourceDefinition[];
  /** diagnostics lists, over every CRD version, the checks Portcullis cannot compile and skips (empty when it enforces everything). */
  readonly diagnostics: readonly CrdDiagnostic[];
}

/** CrdRegistryOptions configures createCrdRegistry. */
export interface CrdRegistryOptions {
  /** extensions add schema checks per node or as passes (see createKubernetesExtensions); default none. */
  extensions?: readonly (NodeExtension | ValidationPass)[];
}

/**
 * createCrdRegistry compiles every version of every CRD once. Two CRDs that
 * define the same group/kind throw LoadError naming the file and the field.
 * A pattern RE2 rejects is a LoadError too (the apiserver's Go regexp is RE2).
 * A CEL rule the engine can't compile never stops the load: it is skipped
 * and listed in `diagnostics`, and the rest of that CRD's checks still run.
 */
export function createCrdRegistry(loaded: readonly LoadedCrd[], options: CrdRegistryOptions = {}): CrdRegistry {
  const byGvk = new Map<string, CompiledVersion>();
  const byGvr = new Map<string, CompiledVersion>();
  const diagnostics: CrdDiagnostic[] = [];
  const seen = new Map<string, string>();
  for (const { crd, file, index } of loaded) {
    const groupKind = `${crd.spec.group}/${crd.spec.names.kind}`;
    const previous = seen.get(groupKind);
    if (previous !== undefined) throw new LoadError({ file, documentIndex: index, field: 'spec.names.kind', message: `${groupKind} is already defined in ${previous}` });
    seen.set(groupKind, file);
    crd.spec.versions.forEach((version, i) => {
      const gvk = { group: crd.spec.group, version: version.name, kind: crd.spec.names.kind };
      const schema = version.schema?.openAPIV3Schema;
      const scale = version.subresources?.scale ?? null;
      const collector = createDiagnosticCollector({ crd: crd.metadata.name, file, version: version.name }, schema);
      const compileOptions = { extensions: options.extensions, onUnsupported: collector.report };
      try {
        const compiled: CompiledVersion = {
          crd,
          version,
          gvk,
          schema,
          validator: schema ? compileValidator(schema, { ...compileOptions, scale, decode: true }) : null,
          defaulter: schema ? compileDefaulter(schema) : null,
          unknownFields: schema ? compileUnknownFieldFinder(schema) : null,
          statusSubresource: version.subresources?.status !== undefined && version.subresources.status !== null,
          scale,
          scaleValidator: schema && scale ? compileScaleValidator(schema, scale, compileOptions) : null,
          diagnostics: collector.diagnostics,
        };
        diagnostics.push(...collector.diagnostics);
        byGvk.set(gvkKey(gvk), compiled);
        byGvr.set(gvrKey({ group: crd.spec.group, version: version.name, resource: crd.spec.names.plural }), compiled);
      } catch (err) {
        throw new LoadError({ file, documentIndex: index, field: `spec.versions[${i}].schema.openAPIV3Schema`, message: errorMessage(err), cause: err });
      }
    });
  }
  return {
    lookup: (gvk) => byGvk.get(gvkKey(gvk)),
    lookupResource: (gvr) => byGvr.get(gvrKey(gvr)),
    crds: loaded.map((l) => l.crd),
    diagnostics,
  };
}
