import type { Gauge } from 'prom-client';
import type { CrdDiagnostic } from '../schema/crd-diagnostics.js';
import { diagnosticMessage } from '../schema/crd-diagnostics.js';
import type { Logger } from 'pino';

/** UncheckedChecksReport is where reportUncheckedChecks writes. */
export interface UncheckedChecksReport {
  logger: Pick<Logger, 'warn'>;
  /** gauge is `portcullis_crd_unchecked_checks{crd}`, reset and set from each load. */
  gauge: Pick<Gauge<'crd'>, 'reset' | 'set'>;
  /** logged holds the messages already logged, so a reload does not repeat them. */
  logged: Set<string>;
}

/**
 * reportUncheckedChecks tells about the checks of the loaded CRDs that
 * Portcullis skips (see CrdDiagnostic): each is logged once at warn level
 * (naming CRD, version, field and rule; no object contents), and the gauge
 * counts them per CRD.
 */
export function reportUncheckedChecks(diagnostics: readonly CrdDiagnostic[], report: UncheckedChecksReport): void {
  report.gauge.reset();
  const perCrd = new Map<string, number>();
  for (const d of diagnostics) {
    perCrd.set(d.crd, (perCrd.get(d.crd) ?? 0) + 1);
    const message = diagnosticMessage(d);
    if (report.logged.has(message)) continue;
    report.logged.add(message);
    report.logger.warn({ crd: d.crd, version: d.version, field: d.field, check: d.what, reason: d.reason }, 'CRD check not enforced by Portcullis');
  }
  for (const [crd, n] of perCrd) report.gauge.set({ crd }, n);
}
