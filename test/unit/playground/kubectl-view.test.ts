import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdmissionRequest, AdmissionResponse } from '../../../src/admission/review.js';
import { renderKubectl } from '../../../src/playground/kubectl-view.js';

const request: AdmissionRequest = {
  uid: 'u',
  kind: { group: 'demo.portcullis.dev', version: 'v1', kind: 'Widget' },
  resource: { group: 'demo.portcullis.dev', version: 'v1', resource: 'widgets' },
  name: 'w',
  namespace: 'default',
  operation: 'CREATE',
  userInfo: {},
  object: {},
  oldObject: null,
};
const invalid = (causes: { field: string; message: string }[]): AdmissionResponse => ({
  uid: 'u',
  allowed: false,
  status: { status: 'Failure', code: 422, reason: 'Invalid', message: 'ignored by kubectl', details: { kind: 'Widget', name: 'w', group: 'demo.portcullis.dev', causes } },
});

describe('kubectl view', () => {
  it('prints a created object with the lower-case kind and group, as the name printer does', () => {
    const view = renderKubectl(request, { uid: 'u', allowed: true }, 'mutate.portcullis.dev');
    assert.equal(view.stdout, 'widget.demo.portcullis.dev/w created\n');
    assert.equal(view.exitCode, 0);
  });

  it('marks a server dry run and prints warnings first on stderr', () => {
    const view = renderKubectl({ ...request, dryRun: true }, { uid: 'u', allowed: true, warnings: ['a', 'b'] }, 'mutate.portcullis.dev');
    assert.equal(view.command, 'kubectl apply -f object.yaml --dry-run=server');
    assert.equal(view.stdout, 'widget.demo.portcullis.dev/w created (server dry run)\n');
    assert.equal(view.stderr, 'Warning: a\nWarning: b\n');
  });

  it('prints one Invalid cause inline and several as a list, without the status message', () => {
    assert.equal(renderKubectl(request, invalid([{ field: 'spec.a', message: 'Required value' }]), 'x').stderr, 'The Widget "w" is invalid: spec.a: Required value\n');
    const many = renderKubectl(request, invalid([{ field: 'spec.a', message: 'Required value' }, { field: 'spec.b', message: 'Invalid value: 1' }, { field: 'spec.a', message: 'Required value' }]), 'x');
    assert.equal(many.stderr, 'The Widget "w" is invalid: \n* spec.a: Required value\n* spec.b: Invalid value: 1\n');
    assert.equal(many.exitCode, 1);
  });

  it('prints other denials with the reason, the source and the webhook name the apiserver adds', () => {
    const response: AdmissionResponse = { uid: 'u', allowed: false, status: { status: 'Failure', code: 403, reason: 'Forbidden', message: 'only the owner may do that' } };
    assert.equal(
      renderKubectl(request, response, 'validate.portcullis.dev').stderr,
      'Error from server (Forbidden): error when creating "object.yaml": admission webhook "validate.portcullis.dev" denied the request: only the owner may do that\n',
    );
  });

  it('raises a code under 400 to 400 and explains a denial without a message', () => {
    const view = renderKubectl({ ...request, operation: 'UPDATE' }, { uid: 'u', allowed: false, status: { code: 200 } }, 'w');
    assert.equal(view.command, 'kubectl replace -f object.yaml');
    assert.equal(view.stderr, 'Error from server: error when replacing "object.yaml": admission webhook "w" denied the request without explanation\n');
  });

  it('prints a delete with its namespace', () => {
    const view = renderKubectl({ ...request, operation: 'DELETE', object: null }, { uid: 'u', allowed: true }, 'w');
    assert.equal(view.stdout, 'widget.demo.portcullis.dev "w" deleted from default namespace\n');
  });
});
