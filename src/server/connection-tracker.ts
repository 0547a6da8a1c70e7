import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../kube/clock.js';

/**
 * Node's server knows the connections that carry HTTP, but not the TCP
 * connections still in (or never starting) their TLS handshake, and it counts
 * a connection that finished its handshake but has sent no request yet as
 * busy. Both kinds kept `server.close()` waiting for the whole drain period
 * and past it (issue 14, defect 2). This tracker sees every TCP connection
 * from its 'connection' event, so a shutdown can close those that carry no
 * request.
 */

/** ConnectionTracker follows every TCP connection of the servers it watches, and which of them carry a request. */
export interface ConnectionTracker {
  /** watch follows the connections `server` accepts from now on (an https.Server's raw TCP sockets included). */
  watch(server: Server): void;
  /** requestStarted marks the connection of `socket` busy until the returned function is called (once, when the response closes). */
  requestStarted(socket: Socket): () => void;
  /** closeIdle destroys the connections with no request in flight that have been idle (or open without a request) for at least graceMs; returns how many. */
  closeIdle(graceMs: number): number;
  /** destroyAll destroys every connection still open (the end of the drain period). */
  destroyAll(): void;
  /** open counts the connections open now. */
  open(): number;
}

interface Connection {
  socket: Socket;
  busy: number;
  idleSince: number;
}

// A TLS socket and its TCP socket share the peer's address and port; the key joins them without Node internals.
const keyOf = (socket: Socket): string => `${socket.localPort ?? ''}|${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;

/** createConnectionTracker returns a tracker that measures idleness on `clock`. */
export function createConnectionTracker(clock: Pick<Clock, 'now'>): ConnectionTracker {
  const connections = new Map<string, Connection>();
  return {
    watch(server) {
      server.on('connection', (socket: Socket) => {
        const key = keyOf(socket);
        const connection: Connection = { socket, busy: 0, idleSince: clock.now() };
        connections.set(key, connection);
        socket.once('close', () => {
          if (connections.get(key) === connection) connections.delete(key);
        });
      });
    },
    requestStarted(socket) {
      const connection = connections.get(keyOf(socket));
      if (connection === undefined) return () => undefined;
      connection.busy += 1;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        connection.busy -= 1;
        connection.idleSince = clock.now();
      };
    },
    closeIdle(graceMs) {
      let closed = 0;
      const now = clock.now();
      for (const connection of connections.values()) {
        if (connection.busy === 0 && now - connection.idleSince >= graceMs && !connection.socket.destroyed) {
          connection.socket.destroy();
          closed += 1;
        }
      }
      return closed;
    },
    destroyAll() {
      for (const connection of connections.values()) connection.socket.destroy();
    },
    open: () => connections.size,
  };
}
