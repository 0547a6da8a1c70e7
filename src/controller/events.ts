import type { Logger } from 'pino';
import type { JsonObject } from '../kube/types.js';
import type { ApiClient, ResourceRef } from './api-client.js';
import { apiVersionOfResource } from './api-client.js';
import type { Clock } from './clock.js';
import { errorMessage } from '../kube/errors.js';
import { isNotFound } from './errors.js';
import { nameOf, namespaceOf, resourceVersionOf, uidOf } from '../kube/object-meta.js';

/**
 * A core/v1 Event recorder with client-go's deduplication: an event identical
 * to one already sent (same object, type, reason and message) bumps the
 * existing Event's count instead of creating another, so a failing loop
 * yields one Event with a growing count rather than a flood. Events of
 * cluster-scoped objects go to the `default` namespace, as client-go does.
 */

/** EventType is Normal or Warning. */
export type EventType = 'Normal' | 'Warning';

/** EventSpec describes one event: about which object, of which kind, and what happened. */
export interface EventSpec {
  /** resource is the kind of the involved object. */
  resource: ResourceRef;
  /** object is the involved object (as cached or returned by a write). */
  object: JsonObject;
  type: EventType;
  /** reason is a short CamelCase word (Created, Updated, Deleted, Failed, ...). */
  reason: string;
  /** message is human-readable; it is cut at 1024 characters. */
  message: string;
}

/** EventRecorder records events about objects; recording never throws. */
export interface EventRecorder {
  /** record sends a new event, or bumps the count of an identical earlier one. */
  record(event: EventSpec): Promise<void>;
}

/** EventRecorderOptions configures createEventRecorder. */
export interface EventRecorderOptions {
  client: ApiClient;
  clock: Clock;
  logger: Logger;
  /** component is the event source (`source.component`, `reportingComponent`), e.g. `portcullis-controller`. */
  component: string;
  /** host fills `source.host` and `reportingInstance`. */
  host?: string;
  /** cacheSize bounds the dedup cache (LRU); default 4096 like client-go. */
  cacheSize?: number;
}

/** EVENTS is the core/v1 events resource. */
export const EVENTS: ResourceRef = { group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true };

interface Seen {
  namespace: string;
  name: string;
  count: number;
}

/** createEventRecorder returns a recorder; it does no I/O until record is called. */
export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const { client, clock, logger, component } = options;
  const max = options.cacheSize ?? 4096;
  const seen = new Map<string, Seen>();
  let seq = 0;

  const remember = (key: string, value: Seen): void => {
    seen.delete(key);
    seen.set(key, value);
    if (seen.size > max) seen.delete(seen.keys().next().value as string);
  };

  return {
    async record({ resource, object: obj, type, reason, message }) {
      const now = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      const involvedNs = namespaceOf(obj);
      const eventNs = involvedNs || 'default';
      const key = [resource.group, resource.kind, involvedNs, nameOf(obj), uidOf(obj), type, reason, message].join('\u0000');
      const prior = seen.get(key);
      try {
        if (prior) {
          const count = prior.count + 1;
          await client.patch(EVENTS, prior.namespace, prior.name, { count, lastTimestamp: now }, { type: 'merge' });
          remember(key, { ...prior, count });
          return;
        }
      } catch (err) {
        if (!isNotFound(err)) {
          logger.warn({ err: errorMessage(err), reason }, 'event update failed');
          return;
        }
        // The Event expired (1 h TTL): start a new one below.
      }
      const name = `${nameOf(obj).slice(0, 200)}.${clock.now().toString(16)}${(++seq).toString(16)}`;
      const event: JsonObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: eventNs },
        involvedObject: {
          apiVersion: apiVersionOfResource(resource),
          kind: resource.kind,
          name: nameOf(obj),
          uid: uidOf(obj),
          resourceVersion: resourceVersionOf(obj),
          ...(involvedNs ? { namespace: involvedNs } : {}),
        },
        type,
        reason,
        message: message.slice(0, 1024),
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component, ...(options.host ? { host: options.host } : {}) },
        reportingComponent: component,
        reportingInstance: options.host ?? component,
      };
      try {
        await client.create(EVENTS, event);
        remember(key, { namespace: eventNs, name, count: 1 });
      } catch (err) {
        logger.warn({ err: errorMessage(err), reason }, 'event create failed');
      }
    },
  };
}
