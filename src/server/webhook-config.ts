import type { Logger } from 'pino';
import { createCelExpressionEngine } from '../conversion/cel-expressions.js';
import { loadConversions } from '../conversion/conversion-loader.js';
import type { ConverterRegistry } from '../conversion/converter-registry.js';
import { loadRuntimeConfig } from './admission-runtime.js';
import type { RuntimeConfig, RuntimeSources } from './admission-runtime.js';
import { reportUncheckedChecks } from './unchecked-checks.js';
import type { UncheckedChecksReport } from './unchecked-checks.js';

/** WebhookConfig is everything the webhook server serves from its files: CRDs, the admission chain and the converters, swapped as one. */
export interface WebhookConfig extends RuntimeConfig {
  conversions: ConverterRegistry;
}

/**
 * createWebhookConfigLoader returns the loader the config reloader calls:
 * CRDs and policies (loadRuntimeConfig), then the Conversions under the
 * policy paths (a Conversion's hub defaults to its CRD's storage version).
 * Both load or neither does, so a bad edit keeps the last good converters
 * too. One CEL expression engine serves every load. CRD checks Portcullis
 * cannot compile are logged once and counted in `uncheckedChecks`.
 */
export function createWebhookConfigLoader(logger: Logger, uncheckedChecks?: UncheckedChecksReport['gauge']): (sources: RuntimeSources) => Promise<WebhookConfig> {
  const engine = createCelExpressionEngine();
  const logged = new Set<string>();
  return async (sources) => {
    const config = await loadRuntimeConfig(sources);
    if (uncheckedChecks) reportUncheckedChecks(config.crds.diagnostics, { logger, gauge: uncheckedChecks, logged });
    const conversions = await loadConversions({ policyPaths: sources.policyPaths, crds: config.crds.crds, engine });
    logger.info({ converters: conversions.converters.map((c) => `${c.group}/${c.kind}`) }, 'conversions loaded');
    return { ...config, conversions };
  };
}
