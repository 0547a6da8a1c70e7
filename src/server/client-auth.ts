import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { PortcullisError } from '../kube/errors.js';

/** UnauthenticatedError means a webhook call came without a client certificate signed by --client-ca (HTTP 401). */
export class UnauthenticatedError extends PortcullisError {
  constructor(message: string) {
    super('PCL_ERR_UNAUTHENTICATED', message);
  }
}

/** ClientCheck throws UnauthenticatedError when a request may not be answered. */
export type ClientCheck = (req: IncomingMessage) => void;

/**
 * requireClientCertificate is the check of `serve --client-ca`: the TLS
 * handshake asked for a client certificate and verified it against the CA
 * bundle, without failing the handshake (so health probes, which have none,
 * still connect); a webhook call whose connection is not authorized is
 * refused with 401 and a metav1.Status that says why.
 */
export const requireClientCertificate: ClientCheck = (req) => {
  const socket = req.socket as TLSSocket;
  const presented = typeof socket.getPeerCertificate === 'function' && Object.keys(socket.getPeerCertificate()).length > 0;
  // Node reports a resumed TLS 1.3 session without any peer certificate as authorized
  // (OpenSSL's verify result is X509_V_OK when there is nothing to verify): a
  // certificate must be there too.
  if (socket.authorized === true && presented) return;
  const why = presented ? `the client certificate was not accepted (${String(socket.authorizationError ?? 'not signed by --client-ca')})` : 'no client certificate was presented';
  throw new UnauthenticatedError(`client certificate required: ${why}; the apiserver presents one through its AdmissionConfiguration kubeconfig (docs/deploy.md)`);
};
