import fs from 'node:fs';
import type { Logger } from '../log.js';
import type { LogLevel } from '../log.js';
import { visLogLine } from '../text/vis.js';
import { formatHint } from './hints/index.js';

const RANK: Record<LogLevel, number> = { QUIET: 0, FATAL: 1, ERROR: 2, INFO: 3, VERBOSE: 4, DEBUG1: 5, DEBUG2: 6, DEBUG3: 7 };

export interface CliLogger extends Logger {
  /** Fatal errors: shown unless LogLevel is QUIET. */
  fatal(message: string): void;
  /**
   * tssh's hint lines after an error (cli/hints/), each made safe like any log line; shown unless
   * LogLevel is QUIET, coloured only when asked and the lines go to stderr (not an -E file).
   */
  hints(lines: readonly string[], colour: boolean): void;
  level: LogLevel;
}

/**
 * OpenSSH-style log lines on stderr ("debug1: ..."), or appended to the -E file. Lines are written
 * synchronously so nothing is lost when the process exits right after. In raw terminal mode lines end
 * with CR LF (set `crlf`). Every line passes through OpenSSH's log sanitiser here, once, whatever
 * it carries from the network (see vis.ts).
 */
export function createLogger(initial: LogLevel, logFile: string | undefined, crlf = () => false): CliLogger {
  let fd = 2;
  if (logFile) {
    try {
      fd = fs.openSync(logFile, 'a', 0o600);
    } catch (err) {
      fs.writeSync(2, `Couldn't open logfile ${logFile}: ${(err as Error).message}\n`);
    }
  }
  const logger: CliLogger = {
    level: initial,
    fatal: (m) => emit(RANK.FATAL, '', m),
    error: (m) => emit(RANK.ERROR, '', m),
    info: (m) => emit(RANK.INFO, '', m),
    verbose: (m) => emit(RANK.VERBOSE, '', m),
    debug1: (m) => emit(RANK.DEBUG1, 'debug1: ', m),
    debug2: (m) => emit(RANK.DEBUG2, 'debug2: ', m),
    debug3: (m) => emit(RANK.DEBUG3, 'debug3: ', m),
    hints: (lines, colour) => {
      if (RANK.FATAL > RANK[logger.level]) return;
      const eol = crlf() ? '\r\n' : '\n';
      write(lines.map((line) => formatHint(visLogLine(line), colour && fd === 2) + eol).join(''));
    },
  };
  function emit(rank: number, prefix: string, message: string): void {
    if (rank > RANK[logger.level]) return;
    const eol = crlf() ? '\r\n' : '\n';
    // tssh's own messages of several lines are errors (no prefix). The level prefix goes on the first
    // line only, so a newline inside a server's text (which ssh lets through) continues the line as in ssh.
    write(message.split('\n').map((line, i) => visLogLine((i === 0 ? prefix : '') + line) + eol).join(''));
  }
  function write(text: string): void {
    try {
      fs.writeSync(fd, text);
    } catch {
      // stderr gone (closed terminal or pipe): nothing useful left to do with a log line.
    }
  }
  return logger;
}
