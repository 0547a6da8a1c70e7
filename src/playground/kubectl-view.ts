import type { AdmissionRequest, AdmissionResponse } from '../admission/review.js';
import type { Status } from '../kube/types.js';

/** KubectlView is what a user would see: the command, its standard output and error, and its exit status. */
export interface KubectlView {
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** WEBHOOK_NAMES are the webhook names `portcullis manifests` registers, per endpoint. */
export const WEBHOOK_NAMES = { mutate: 'mutate.portcullis.dev', validate: 'validate.portcullis.dev' } as const;

// apimachinery's knownReasons: a 422 with any other reason still counts as Invalid.
const KNOWN_REASONS: ReadonlySet<string> = new Set([
  'Unauthorized', 'Forbidden', 'NotFound', 'AlreadyExists', 'Conflict', 'Gone', 'Invalid', 'ServerTimeout', 'StorageReadError',
  'Timeout', 'TooManyRequests', 'BadRequest', 'MethodNotAllowed', 'NotAcceptable', 'RequestEntityTooLarge',
  'UnsupportedMediaType', 'InternalError', 'Expired', 'ServiceUnavailable',
]);

const VERBS = {
  CREATE: { command: 'apply', doing: 'creating', done: 'created' },
  UPDATE: { command: 'replace', doing: 'replacing', done: 'replaced' },
  DELETE: { command: 'delete', doing: 'deleting', done: 'deleted' },
  CONNECT: { command: 'apply', doing: 'creating', done: 'created' },
} as const;

/**
 * renderKubectl shows an admission response the way kubectl prints it when
 * Portcullis is registered as the named webhook: the apiserver's denial
 * wrapping (admission/plugin/webhook/errors ToStatusErr: code at least 400,
 * `admission webhook "<name>" denied the request: <message>`), then kubectl's
 * error rendering (cmd/util/helpers.go checkErr: reason Invalid with details
 * as `The <Kind> "<name>" is invalid: ` and one cause inline or a `* ` list,
 * other reasons as `Error from server (<reason>): error when <verb> "<file>": …`),
 * with every warning as a `Warning: ` line first.
 */
export function renderKubectl(request: AdmissionRequest, response: AdmissionResponse, webhook: string, file = 'object.yaml'): KubectlView {
  const verb = VERBS[request.operation];
  const command = `kubectl ${verb.command} -f ${file}${request.dryRun ? ' --dry-run=server' : ''}`;
  const warnings = (response.warnings ?? []).map((w) => `Warning: ${w}\n`).join('');
  if (response.allowed) return { command, stdout: `${successLine(request, verb.done)}\n`, stderr: warnings, exitCode: 0 };
  const status = deniedStatus(webhook, response.status);
  return { command, stdout: '', stderr: `${warnings}${errorText(status, `error when ${verb.doing} "${file}": `)}`, exitCode: 1 };
}

function successLine(request: AdmissionRequest, done: string): string {
  // cli-runtime's name printer: lower-case kind, then the group.
  const kind = request.kind.kind.toLowerCase();
  const resource = request.kind.group === '' ? kind : `${kind}.${request.kind.group}`;
  const name = request.name ?? '';
  const dry = request.dryRun ? ' (server dry run)' : '';
  if (request.operation === 'DELETE') return `${resource} "${name}" ${done}${request.namespace ? ` from ${request.namespace} namespace` : ''}${dry}`;
  return `${resource}/${name} ${done}${dry}`;
}

function deniedStatus(webhook: string, status: Status | undefined): Status {
  const result: Status = { ...(status ?? {}) } as Status;
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  if ((result.code ?? 0) < 400) result.code = 400;
  if (result.message) result.message = `${deniedBy}: ${result.message}`;
  else if (result.reason) result.message = `${deniedBy}: ${result.reason}`;
  else result.message = `${deniedBy} without explanation`;
  return result;
}

function isInvalid(status: Status): boolean {
  const reason = status.reason ?? '';
  return reason === 'Invalid' || (!KNOWN_REASONS.has(reason) && status.code === 422);
}

function errorText(status: Status, source: string): string {
  const details = status.details;
  if (isInvalid(status)) {
    if (!details) return `The request is invalid: ${source}${status.message}\n`;
    const head = details.kind || details.name ? `The ${details.kind ?? ''} "${details.name ?? ''}" is invalid` : 'The request is invalid';
    const seen = new Set<string>();
    const causes = (details.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? ''}`).filter((line) => !seen.has(line) && seen.add(line));
    if (causes.length === 0) return `${head}\n`;
    if (causes.length === 1) return `${head}: ${causes[0]}\n`;
    return `${head}: \n${causes.map((line) => `* ${line}\n`).join('')}`;
  }
  const message = `${source}${status.message}`;
  if (status.reason === 'Unauthorized') return `error: You must be logged in to the server (${message})\n`;
  return status.reason ? `Error from server (${status.reason}): ${message}\n` : `Error from server: ${message}\n`;
}
