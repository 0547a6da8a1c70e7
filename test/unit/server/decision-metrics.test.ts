import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import type { AdmissionChain, StageOutcome } from '../../../src/admission/stage.js';
import type { AdmissionRequest } from '../../../src/admission/review.js';
import type { ConversionHandler } from '../../../src/conversion/convert-review.js';
import { countConversions, createDecisionRecorder, deniedBy, MAX_DENIED_BY } from '../../../src/server/decision-metrics.js';

function decisions(registry: Registry) {
  return new Counter({ name: 'portcullis_admission_decisions_total', help: 'h', labelNames: ['stage', 'policy', 'rule', 'action', 'result'] as const, registers: [registry] });
}

async function values(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric(name)!.get();
  return Object.fromEntries(metric.values.map((v) => [Object.values(v.labels).join(','), v.value]));
}

const outcome = (over: Partial<StageOutcome> = {}): StageOutcome => ({ violations: [], warnings: [], auditAnnotations: {}, ...over });
const request = { uid: 'u', operation: 'CREATE' } as unknown as AdmissionRequest;

describe('createDecisionRecorder', () => {
  it('counts denials by policy and rule, warnings, audits, and stages that found nothing', async () => {
    const registry = new Registry();
    const record = createDecisionRecorder(decisions(registry));
    const chain: AdmissionChain = {
      mutators: [{ name: 'schema-defaults', mutate: () => outcome() }],
      validators: [
        { name: 'schema', validate: () => outcome({ violations: [{ kind: 'field', error: { type: 'FieldValueRequired', field: 'spec.image' } as never }] }) },
        {
          name: 'policies',
          validate: () =>
            outcome({
              violations: [{ kind: 'forbidden', message: 'no', policy: 'widget-naming', rule: 'name-convention' }],
              warnings: ['widget-deprecations/deprecated-size: spec.deprecatedSize is deprecated', 'unattributed'],
              auditAnnotations: { 'owner-missing': 'x' },
            }),
        },
      ],
    };
    const wrapped = record(chain);
    assert.equal(record(chain), wrapped, 'cached per chain');
    wrapped.mutators[0]!.mutate(request, {});
    for (const v of wrapped.validators) v.validate(request, {});
    assert.deepEqual(await values(registry, 'portcullis_admission_decisions_total'), {
      'schema-defaults,,,mutate,allowed': 1,
      'schema,,,deny,denied': 1,
      'policies,widget-naming,name-convention,deny,denied': 1,
      'policies,widget-deprecations,deprecated-size,warn,warned': 1,
      'policies,,,warn,warned': 1,
      'policies,,owner-missing,audit,audited': 1,
    });
  });

  it('remembers per request which policy rules and schema fields denied it, for the decision log line', () => {
    const wrapped = createDecisionRecorder(decisions(new Registry()))({
      mutators: [],
      validators: [
        { name: 'schema', validate: () => outcome({ violations: [{ kind: 'field', error: { type: 'FieldValueInvalid', field: 'spec.replicas' } as never }, { kind: 'field', error: { type: 'FieldValueRequired', field: 'spec.image' } as never }] }) },
        { name: 'policy-rules', validate: () => outcome({ violations: [{ kind: 'forbidden', message: 'no', policy: 'widget-naming', rule: 'prefix' }, { kind: 'forbidden', message: 'again', policy: 'widget-naming', rule: 'prefix' }] }) },
      ],
    });
    const denied = { uid: 'd', operation: 'CREATE' } as unknown as AdmissionRequest;
    const allowed = { uid: 'a', operation: 'CREATE' } as unknown as AdmissionRequest;
    for (const v of wrapped.validators) v.validate(denied, {});
    assert.deepEqual(deniedBy(denied), ['schema:spec.replicas', 'schema:spec.image', 'widget-naming/prefix']);
    assert.equal(deniedBy(allowed), undefined);
  });

  it('lists at most MAX_DENIED_BY sources', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ kind: 'field' as const, error: { type: 'FieldValueInvalid', field: `spec.f${i}` } as never }));
    const wrapped = createDecisionRecorder(decisions(new Registry()))({ mutators: [], validators: [{ name: 'schema', validate: () => outcome({ violations: many }) }] });
    const denied = { uid: 'm', operation: 'CREATE' } as unknown as AdmissionRequest;
    wrapped.validators[0]!.validate(denied, {});
    assert.equal(deniedBy(denied)?.length, MAX_DENIED_BY);
  });

  it('returns the stage outcomes unchanged', () => {
    const registry = new Registry();
    const result = outcome({ warnings: ['w'] });
    const wrapped = createDecisionRecorder(decisions(registry))({ mutators: [], validators: [{ name: 'x', validate: () => result }] });
    assert.equal(wrapped.validators[0]!.validate(request, null), result);
  });
});

describe('countConversions', () => {
  it('counts the objects of each review by result, also when the handler throws', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'portcullis_conversion_objects_total', help: 'h', labelNames: ['result'] as const, registers: [registry] });
    const ok: ConversionHandler = (r) => ({ uid: r.uid, result: { status: 'Success' }, convertedObjects: r.objects });
    const bad: ConversionHandler = (r) => ({ uid: r.uid, result: { status: 'Failure', message: 'x' }, convertedObjects: [] });
    const boom: ConversionHandler = () => {
      throw new Error('boom');
    };
    const objects = [{}, {}, {}];
    countConversions(counter, ok)({ uid: 'a', desiredAPIVersion: 'g/v1', objects });
    countConversions(counter, bad)({ uid: 'b', desiredAPIVersion: 'g/v1', objects: [{}] });
    assert.throws(() => countConversions(counter, boom)({ uid: 'c', desiredAPIVersion: 'g/v1', objects: [{}, {}] }), /boom/);
    assert.deepEqual(await values(registry, 'portcullis_conversion_objects_total'), { success: 3, failure: 3 });
  });
});
