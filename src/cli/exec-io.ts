import type { Readable, Writable } from 'node:stream';
import type { Session, SessionExit } from '../connection/session.js';
import type { Logger } from '../log.js';

export interface StdioStreams {
  stdin: Readable | undefined; // undefined with -n: the remote gets EOF at once
  stdout: Writable;
  stderr: Writable;
}

/**
 * Connects local stdio to a session and waits for the remote end: stdin → channel (EOF on local EOF),
 * channel → stdout, extended data → stderr, binary-safe and with backpressure both ways. Resolves after
 * the channel closed and everything received was handed to stdout/stderr.
 */
export async function runExecIo(session: Session, io: StdioStreams, log: Logger): Promise<SessionExit> {
  const channel = session.channel;
  if (io.stdin) {
    io.stdin.pipe(channel);
    io.stdin.on('error', (err) => {
      log.debug1(`stdin: ${err.message}`);
      channel.end();
    });
  } else {
    channel.end();
  }
  // A closed stdout (`tssh host yes | head -1`): stop the remote command instead of reading forever.
  const onBroken = (ok: boolean): void => {
    if (!ok) channel.destroy();
  };
  const stdoutDone = forward(channel, io.stdout).then((ok) => (onBroken(ok), ok));
  const stderrDone = forward(channel.stderr, io.stderr).then((ok) => (onBroken(ok), ok));
  const exit = await session.exit;
  if (io.stdin) {
    io.stdin.unpipe(channel);
    io.stdin.pause();
    io.stdin.destroy();
  }
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
