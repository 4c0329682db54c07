import type { Readable, Writable } from 'node:stream';
import type { Channel } from '../connection/channel.js';
import type { Session, SessionExit } from '../connection/session.js';
import type { Logger } from '../log.js';

export interface StdioStreams {
  stdout: Writable;
  stderr: Writable;
  /** Stops what pipeStdin started, once the remote side has ended. */
  stopStdin: () => void;
}

/**
 * Starts feeding local stdin to the channel (EOF on local EOF), or sends EOF at once without it (-n).
 * Called as soon as the session's start request is out, as ssh reads stdin once the channel is open:
 * waiting for the reply lets a fast command finish before stdin was read, and a script's
 * `while read h; do ssh ...; done < list` then ran a varying number of times. Returns the stopper.
 */
export function pipeStdin(channel: Channel, stdin: Readable | undefined, log: Logger): () => void {
  if (!stdin) {
    channel.end();
    return () => {};
  }
  stdin.pipe(channel);
  stdin.on('error', (err) => {
    log.debug1(`stdin: ${err.message}`);
    channel.end();
  });
  return () => {
    stdin.unpipe(channel);
    stdin.pause();
    stdin.destroy();
  };
}

/**
 * Connects the session's output to local stdout/stderr (extended data → stderr), binary-safe and with
 * backpressure, and waits for the remote end. Resolves after the channel closed and everything received
 * was handed to stdout/stderr.
 */
export async function runExecIo(session: Session, io: StdioStreams): Promise<SessionExit> {
  const channel = session.channel;
  // A closed stdout (`tssh host yes | head -1`): stop the remote command instead of reading forever.
  const onBroken = (ok: boolean): void => {
    if (!ok) channel.destroy();
  };
  const stdoutDone = forward(channel, io.stdout).then((ok) => (onBroken(ok), ok));
  const stderrDone = forward(channel.stderr, io.stderr).then((ok) => (onBroken(ok), ok));
  const exit = await session.exit;
  io.stopStdin();
  await Promise.all([stdoutDone, stderrDone]);
  return exit;
}

/** Copies a readable into a writable that is never ended (process stdio); resolves false if the writable broke. */
export function forward(from: Readable, to: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    from.pipe(to, { end: false });
    to.once('error', () => {
      from.unpipe(to);
      from.resume(); // drain and drop: the reader went away
      resolve(false);
    });
    let ended = false;
    from.once('end', () => {
      ended = true;
      // Resolve once what was written has been flushed.
      if (to.writableLength === 0) resolve(true);
      else to.write(Buffer.alloc(0), () => resolve(true));
    });
    // Destroyed without an end (the channel was torn down after stdout broke): nothing more will come.
    from.once('close', () => {
      if (!ended) resolve(false);
    });
  });
}
