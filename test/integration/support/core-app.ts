import { pino } from 'pino';
import { createMutateHandler, createValidateHandler } from '../../../src/admission/handlers.js';
import { createApp } from '../../../src/server/app.js';
import type { AppOptions } from '../../../src/server/app.js';
import { loadRuntimeConfig } from '../../../src/server/admission-runtime.js';

/** createCoreApp builds the in-process app with the shipped example CRDs (and policies), logging nowhere. */
export async function createCoreApp(overrides: Partial<AppOptions> = {}) {
  const config = await loadRuntimeConfig({ crdPaths: ['manifests/crds'], policyPaths: ['policies'] });
  const chain = () => config.chain;
  return createApp({ mutate: createMutateHandler({ chain }), validate: createValidateHandler({ chain }), logger: pino({ level: 'silent' }), ...overrides });
}

/** fixture loads a review fixture as a fresh object. */
export async function fixture(name: string): Promise<Record<string, any>> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(new URL(`../../fixtures/admission/${name}`, import.meta.url), 'utf8')) as Record<string, any>;
}
