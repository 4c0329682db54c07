/**
 * ssh(1) ESCAPE CHARACTERS: the escape character (default `~`) is special only as the first character
 * typed after a newline (or at the very start of the session), and only in terminal sessions. The
 * filter is a pure state machine: typed bytes in, bytes for the remote side and commands out.
 */

export type EscapeCommand =
  | 'disconnect' // ~.
  | 'suspend' // ~^Z
  | 'break' // ~B
  | 'rekey' // ~R
  | 'quieter' // ~V
  | 'louder' // ~v
  | 'background' // ~&
  | 'help' // ~?
  | 'list' // ~#
  | 'info' // ~I (OpenSSH 9.8+)
  | 'commandline'; // ~C

export type EscapeEvent =
  | { kind: 'data'; data: Buffer }
  /** `rest`: bytes after a command that takes over the input (~. ~& ~C), not yet filtered. */
  | { kind: 'command'; command: EscapeCommand; rest?: Buffer };

const COMMANDS: ReadonlyMap<number, EscapeCommand> = new Map([
  [0x2e, 'disconnect'],
  [0x1a, 'suspend'],
  [0x42, 'break'],
  [0x52, 'rekey'],
  [0x56, 'quieter'],
  [0x76, 'louder'],
  [0x26, 'background'],
  [0x3f, 'help'],
  [0x23, 'list'],
  [0x43, 'commandline'],
  [0x49, 'info'],
]);

/** Commands after which the remaining input is not filtered further. */
const TAKES_OVER: ReadonlySet<EscapeCommand> = new Set(['disconnect', 'background', 'commandline']);

export class EscapeFilter {
  /** The previous byte was CR or LF; the session starts as if after a newline. */
  private afterNewline = true;
  private escapePending = false;

  constructor(private readonly escapeChar: number) {}

  filter(chunk: Buffer): EscapeEvent[] {
    const events: EscapeEvent[] = [];
    let out: number[] = [];
    const flush = (): void => {
      if (out.length > 0) events.push({ kind: 'data', data: Buffer.from(out) });
      out = [];
    };
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.escapePending) {
        this.escapePending = false;
        const command = COMMANDS.get(byte);
        if (command !== undefined) {
          flush();
          // A command leaves `afterNewline` as it was, so `~?~.` works.
          if (TAKES_OVER.has(command)) {
            events.push({ kind: 'command', command, rest: chunk.subarray(i + 1) });
            return events;
          }
          events.push({ kind: 'command', command });
          continue;
        }
        // Not a command: the escape character goes through, then this byte as usual (`~~` sends one `~`).
        if (byte !== this.escapeChar) out.push(this.escapeChar);
      } else if (this.afterNewline && byte === this.escapeChar) {
        this.escapePending = true;
        continue;
      }
      this.afterNewline = byte === 0x0d || byte === 0x0a;
      out.push(byte);
    }
    flush();
    return events;
  }
}

/** How ssh shows the escape character in its messages: the character itself. */
export function escapeCharText(escapeChar: number): string {
  return String.fromCharCode(escapeChar);
}

const HELP_ENTRIES: ReadonlyArray<{ keys: string; text: string; needsCommandLine?: boolean }> = [
  { keys: '.', text: 'terminate connection (and any multiplexed sessions)' },
  { keys: 'B', text: 'send a BREAK to the remote system' },
  { keys: 'C', text: 'open a command line', needsCommandLine: true },
  { keys: 'I', text: 'show connection information' },
  { keys: 'R', text: 'request rekey' },
  { keys: 'V/v', text: 'decrease/increase verbosity (LogLevel)' },
  { keys: '^Z', text: 'suspend ssh' },
  { keys: '#', text: 'list forwarded connections' },
  { keys: '&', text: 'background ssh (when waiting for connections to terminate)' },
  { keys: '?', text: 'this message' },
];

/** `~?`: ssh's help text, byte for byte (CR LF line ends: the terminal is raw). */
export function escapeHelp(escapeChar: number, commandLineEnabled: boolean): string {
  const e = escapeCharText(escapeChar);
  let text = `${e}?\r\nSupported escape sequences:\r\n`;
  for (const entry of HELP_ENTRIES) {
    if (entry.needsCommandLine && !commandLineEnabled) continue;
    text += ` ${e}${entry.keys.padEnd(3)} - ${entry.text}\r\n`;
  }
  text += ` ${e}${e}   - send the escape character by typing it twice\r\n`;
  text += '(Note that escapes are only recognized immediately after newline.)\r\n';
  return text;
}
