import { createCelEnvironment } from '../cel/environment.js';
import type { CelEnvironment } from '../cel/environment.js';
import type { CelLibrary } from '../cel/library.js';
import { QUANTITY_LIBRARY } from '../cel/library-quantity.js';
import { URL_LIBRARY } from '../cel/library-url.js';
import { CEL_REWRITE_LIBRARY } from './cel-rewrites.js';
import { createCelRulesPass } from './cel-rules.js';
import type { ValidationPass } from './compile-validator.js';
import { embeddedDecodePass, embeddedResourcePass } from './embedded-resource.js';
import { listTypePass } from './list-type.js';

/** SCHEMA_CEL_LIBRARIES are the libraries added for x-kubernetes-validations beyond the shared defaults. */
export const SCHEMA_CEL_LIBRARIES: readonly CelLibrary[] = [QUANTITY_LIBRARY, URL_LIBRARY, CEL_REWRITE_LIBRARY];

/**
 * createSchemaCelEnvironment returns the CEL environment for
 * x-kubernetes-validations rules: `self` and `oldSelf`, with the shared
 * Kubernetes libraries plus quantity and URL functions.
 */
export function createSchemaCelEnvironment(): CelEnvironment {
  return createCelEnvironment({
    variables: { self: 'dyn', oldSelf: 'dyn' },
    extraLibraries: SCHEMA_CEL_LIBRARIES,
    limits: { maxAstNodes: 5000, maxDepth: 64 },
  });
}

/** KubernetesExtensionsOptions configures createKubernetesExtensions. */
export interface KubernetesExtensionsOptions {
  /** celEnvironment compiles x-kubernetes-validations; default createSchemaCelEnvironment(). */
  celEnvironment?: CelEnvironment;
}

/**
 * createKubernetesExtensions returns the validation passes the apiserver runs
 * around schema validation, in its order: the decode-time checks of embedded
 * resources first, then (after the schema) embedded resources, list-type
 * set/map invariants, then x-kubernetes-validations CEL rules. Give them to
 * createCrdRegistry as `extensions`.
 */
export function createKubernetesExtensions(options: KubernetesExtensionsOptions = {}): ValidationPass[] {
  const environment = options.celEnvironment ?? createSchemaCelEnvironment();
  return [embeddedDecodePass, embeddedResourcePass, listTypePass, createCelRulesPass({ environment })];
}
