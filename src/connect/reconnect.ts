/**
 * `--reconnect`: keeps a connection to one host for as long as the caller wants it. When the
 * connection is lost (the server restarted, ServerAlive saw a dead path), it waits as the backoff
 * says and connects again through the normal path, so known_hosts and authentication are checked
 * afresh every time. A changed host key, a refused login or any other error that retrying cannot
 * mend ends it for good (the error is thrown). Lives in connect/ so the library can use it too: the
 * CLI only brings the connect function, what to do with each new connection, and the stop signal.
 */
import { asTsshError, type ErrorCode, type TsshError } from '../errors.js';
import type { Logger } from '../log.js';
import { ReconnectBackoff } from './backoff.js';
import type { Connected } from './connect.js';

/** Failures of a connect attempt worth another try: the network or the server's availability, not trust or identity. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['CONNECT', 'RESOLVE', 'TIMEOUT', 'CONNECTION_CLOSED', 'DISCONNECTED', 'BANNER']);

export function isTransientFailure(error: TsshError): boolean {
  return TRANSIENT.has(error.code);
}

export interface ReconnectPlan {
  /** A fresh connection through the normal path (route, host-key check, authentication). */
  connect(signal: AbortSignal): Promise<Connected>;
  /** Puts a new connection to work (re-opens the forwards); a throw ends reconnecting. */
  attach(connected: Connected): Promise<void>;
  /** The current connection has just been lost (before the first wait). */
  lost?(): void;
  /** The host as the messages name it. */
  host: string;
  progname: string;
  log: Logger;
  /** Aborting stops the loop promptly, in a backoff wait or a connect attempt. */
  signal: AbortSignal;
  backoff?: ReconnectBackoff;
  /** Milliseconds, monotonic; default performance.now. */
  now?: () => number;
  /** Waits `ms` or until `signal` aborts; default a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Holds `first` (already attached) and every connection after it until `plan.signal` aborts; then
 * closes the current one and resolves. Rejects with the error that made reconnecting pointless.
 */
export async function stayConnected(first: Connected, plan: ReconnectPlan): Promise<void> {
  const now = plan.now ?? (() => performance.now());
  const sleep = plan.sleep ?? abortableSleep;
  const backoff = plan.backoff ?? new ReconnectBackoff();
  const { log, signal } = plan;
  const name = `${plan.progname}: `;
  let current: Connected | undefined = first;
  let upSince = now();
  const stopped = aborted(signal);
  try {
    for (;;) {
      const lost = await Promise.race([current.client.closed, stopped]);
      if (signal.aborted) return;
      await current.close();
      current = undefined;
      plan.lost?.();
      const lostAt = now();
      backoff.connectionLost(lostAt - upSince);
      let reason = describe(lost, name);
      let verb = 'connection to';
      let what = 'lost';
      for (;;) {
        const step = backoff.next();
        log.info(`${name}${verb} ${plan.host} ${what} (${reason}); reconnecting in ${(step.delayMs / 1000).toFixed(1)} s (attempt ${step.attempt})`);
        await sleep(step.delayMs, signal);
        if (signal.aborted) return;
        try {
          current = await plan.connect(signal);
          break;
        } catch (err) {
          const error = asTsshError(err);
          if (signal.aborted) return;
          if (!isTransientFailure(error)) throw error;
          [verb, what, reason] = ['reconnect to', 'failed', describe(error, name)];
        }
      }
      await plan.attach(current);
      upSince = now();
      log.info(`${name}reconnected to ${plan.host} after ${((upSince - lostAt) / 1000).toFixed(1)} s`);
    }
  } finally {
    await current?.close();
  }
}

/** One line: the error's first line without our name in front or a full stop behind; "closed" for a clean end. */
function describe(error: TsshError | undefined, name: string): string {
  if (error === undefined) return 'closed';
  const line = error.message.split('\n')[0]!.replace(/\.$/, '');
  return line.startsWith(name) ? line.slice(name.length) : line;
}

function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
