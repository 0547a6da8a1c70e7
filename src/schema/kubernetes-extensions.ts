import type { CelEngine } from '../cel/engine.js';
import { createCelRulesPass } from './cel-rules.js';
import type { ValidationPass } from './compile-validator.js';
import { embeddedDecodePass, embeddedResourcePass } from './embedded-resource.js';
import { listTypePass } from './list-type.js';

/** KubernetesExtensionsOptions configures createKubernetesExtensions. */
export interface KubernetesExtensionsOptions {
  /** celEngine compiles and evaluates x-kubernetes-validations; default celEngine() (src/cel/engine.ts). */
  celEngine?: () => CelEngine;
}

/**
 * createKubernetesExtensions returns the validation passes the apiserver runs
 * around schema validation, in its order: the decode-time checks of embedded
 * resources first, then (after the schema) embedded resources, list-type
 * set/map invariants, then x-kubernetes-validations CEL rules. Give them to
 * createCrdRegistry as `extensions`.
 */
export function createKubernetesExtensions(options: KubernetesExtensionsOptions = {}): ValidationPass[] {
  return [embeddedDecodePass, embeddedResourcePass, listTypePass, createCelRulesPass({ engine: options.celEngine })];
}
