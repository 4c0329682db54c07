/**
 * Logging is injected: layers below cli/ receive a Logger and never print. cli/log.ts implements it with
 * OpenSSH's prefixes ("debug1: ...") and levels (-q, -v, -vv, -vvv, LogLevel, -E file).
 */
/** OpenSSH's log levels (LogLevel, -q, -v...), from quietest to loudest. */
export type LogLevel = 'QUIET' | 'FATAL' | 'ERROR' | 'INFO' | 'VERBOSE' | 'DEBUG1' | 'DEBUG2' | 'DEBUG3';

/** Diagnostics with their level, for code that runs before a Logger exists (reading ssh_config). */
export type ConfigLog = (level: LogLevel, message: string) => void;

export interface Logger {
  error(message: string): void;
  info(message: string): void;
  verbose(message: string): void;
  debug1(message: string): void;
  debug2(message: string): void;
  debug3(message: string): void;
}

export const silentLogger: Logger = {
  error() {},
  info() {},
  verbose() {},
  debug1() {},
  debug2() {},
  debug3() {},
};
