/**
 * The signals that end a session (ssh's client_loop traps SIGHUP, SIGINT, SIGQUIT and SIGTERM so it
 * can restore the terminal and say goodbye to the server instead of dying on the spot).
 */
import { constants } from 'node:os';

const TERMINATING: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM'];

export interface ReceivedSignal {
  name: NodeJS.Signals;
  number: number;
}

/**
 * Calls `onSignal` for the first terminating signal (but those in `except`); returns the function
 * that stops watching.
 */
export function watchTerminationSignals(onSignal: (signal: ReceivedSignal) => void, except: readonly NodeJS.Signals[] = []): () => void {
  let fired = false;
  const handlers = TERMINATING.filter((name) => !except.includes(name)).map((name) => {
    const handler = (): void => {
      if (fired) return;
      fired = true;
      onSignal({ name, number: constants.signals[name] });
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return () => {
    for (const [name, handler] of handlers) process.off(name, handler);
  };
}
