/**
 * `~C`: the `ssh>` command line, available with EnableEscapeCommandline yes. The line is edited here
 * in raw mode (the terminal stays raw, so no end-of-file can reach stdin), then run with ssh's
 * messages: `-L/-R/-D spec` add a forward, `-KL/-KR/-KD spec` cancel one, `-h` or `?` lists them.
 */
import type { Logger } from '../log.js';
import type { ForwardingControl, ForwardKind } from '../connect/forwarding-control.js';

export const COMMAND_LINE_PROMPT = '\r\nssh> ';

/** Editing keys: Enter ends the line; ^C, ^D on an empty line and ESC cancel it. */
export type EditResult = { echo: string; line?: string | null; rest?: Buffer };

/** A minimal line editor for raw mode: printable characters, backspace, ^U, ^W. */
export class LineEditor {
  private text = '';

  /** Feeds typed bytes; `line` is the finished line (null when cancelled), `rest` what was typed after it. */
  feed(chunk: Buffer): EditResult {
    let echo = '';
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === 0x0d || byte === 0x0a) return { echo: `${echo}\r\n`, line: this.text, rest: chunk.subarray(i + 1) };
      if (byte === 0x03 || byte === 0x1b || (byte === 0x04 && this.text === '')) return { echo: `${echo}\r\n`, line: null, rest: chunk.subarray(i + 1) };
      if (byte === 0x7f || byte === 0x08) {
        if (this.text.length > 0) {
          this.text = this.text.slice(0, -1);
          echo += '\b \b';
        }
      } else if (byte === 0x15) {
        echo += '\b \b'.repeat(this.text.length);
        this.text = '';
      } else if (byte === 0x17) {
        const kept = this.text.replace(/\S*\s*$/, '');
        echo += '\b \b'.repeat(this.text.length - kept.length);
        this.text = kept;
      } else if (byte >= 0x20 && byte !== 0x7f) {
        const ch = String.fromCharCode(byte);
        this.text += ch;
        echo += ch;
      }
    }
    return { echo };
  }
}

const HELP_LINES = [
  'Commands:',
  '      -L[bind_address:]port:host:hostport    Request local forward',
  '      -R[bind_address:]port:host:hostport    Request remote forward',
  '      -D[bind_address:]port                  Request dynamic forward',
  '      -KL[bind_address:]port                 Cancel local forward',
  '      -KR[bind_address:]port                 Cancel remote forward',
  '      -KD[bind_address:]port                 Cancel dynamic forward',
];

const KINDS: Readonly<Record<string, ForwardKind>> = { L: 'local', R: 'remote', D: 'dynamic' };

/** Runs one `ssh>` line; every outcome is reported through `log.info` as ssh's logit does. */
export async function runCommandLine(line: string, forwarding: ForwardingControl | undefined, log: Logger): Promise<void> {
  let s = line.trimStart();
  if (s.startsWith('-')) s = s.slice(1);
  if (s === '') return;
  if (s[0] === 'h' || s[0] === 'H' || s[0] === '?') {
    for (const text of HELP_LINES) log.info(text);
    return;
  }
  const cancel = s[0] === 'K';
  if (cancel) s = s.slice(1);
  const kind = KINDS[s[0] ?? ''];
  if (kind === undefined) {
    log.info('Invalid command.');
    return;
  }
  const specification = s.slice(1).trim();
  if (forwarding === undefined) {
    log.info('Port forwarding is not supported by tssh yet.');
    return;
  }
  if (cancel) {
    const result = await forwarding.cancel(kind, specification);
    if (result === 'bad-specification') log.info('Bad forwarding close specification.');
    else if (result === 'unknown') log.info('Unknown port forwarding.');
    else log.info('Canceled forwarding.');
    return;
  }
  const result = await forwarding.request(kind, specification);
  if (result === 'bad-specification') log.info(`Bad ${kind === 'remote' ? 'remote' : 'local'} forwarding specification.`);
  else if (result === 'failed') log.info('Port forwarding failed.');
  else log.info('Forwarding port.');
}
