/*
 * The controller's time source is the shared one in kube/clock.ts (the
 * server's reloaders and deadlines use it too); re-exported here so the
 * controller's imports stay as they are.
 */
export { realClock, sleep } from '../kube/clock.js';
export type { Clock, TimerHandle } from '../kube/clock.js';
