/** Hints for a timed-out connection: which phase stalled, and what usually causes a stall there. */
import type { TimeoutError, TimeoutPhase } from '../../errors.js';

const STALLS: Record<TimeoutPhase, readonly string[]> = {
  connect: [
    'stalled in: TCP connect (no answer to the connection request within ConnectTimeout)',
    'likely cause: a firewall dropping packets, a wrong address or port, or the host is down',
  ],
  banner: [
    'stalled in: banner exchange (TCP connected, but no SSH version line arrived)',
    'likely cause: no SSH server on this port, a server at its MaxStartups limit, or a proxy holding the connection',
  ],
  kex: [
    'stalled in: key exchange (the server sent its version line, then the exchange did not finish)',
    'likely cause: a network path dropping large packets (MTU), or a server too slow or overloaded',
  ],
  auth: [
    'stalled in: authentication (the key exchange finished, then the server stopped answering)',
    'likely cause: a server waiting on a slow PAM or LDAP lookup, or the network path failed',
  ],
  keepalive: [
    'stalled in: an established session (the server stopped answering; ServerAliveInterval, ServerAliveCountMax)',
    'likely cause: the network path or the server went away',
  ],
};

export function timeoutHints(err: TimeoutError): string[] {
  return [...STALLS[err.phase]];
}
