/**
 * tssh's own advice after ssh's error text: shown when stderr is a terminal or with -v, never in the
 * plain non-terminal case (scripts compare that text with ssh's). The data comes from the typed errors.
 */
import { AuthError, HostKeyError, NegotiationError, TimeoutError, type TsshError } from '../../errors.js';
import { authHints } from './auth.js';
import { hostKeyHints } from './host-key.js';
import { negotiationHints } from './negotiation.js';
import { timeoutHints } from './timeout.js';

export function hintsFor(err: TsshError): string[] {
  if (err instanceof NegotiationError) return negotiationHints(err);
  if (err instanceof AuthError) return authHints(err);
  if (err instanceof HostKeyError) return hostKeyHints(err);
  if (err instanceof TimeoutError) return timeoutHints(err);
  return [];
}

/** Whether hints are wanted: stderr is a terminal, or -v (any debug level) was given. */
export function hintsWanted(stderrIsTerminal: boolean, debugging: boolean): boolean {
  return stderrIsTerminal || debugging;
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty or TERM is dumb. */
export function hintColour(stderrIsTerminal: boolean, env: NodeJS.ProcessEnv): boolean {
  return stderrIsTerminal && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

const PREFIX = 'hint: ';
/** Cyan "hint:" (SGR 36), reset after. */
const COLOURED_PREFIX = '\u001b[36mhint:\u001b[0m ';

/** One hint line as shown: two spaces, "hint: ", the text (already made safe by the caller). */
export function formatHint(text: string, colour: boolean): string {
  return `  ${colour ? COLOURED_PREFIX : PREFIX}${text}`;
}
