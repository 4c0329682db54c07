/**
 * Making text safe for a terminal exactly as OpenSSH does, so that nothing a server sends (escape
 * sequences, 8-bit controls such as CSI 0x9b, invalid UTF-8) reaches the user's terminal raw, and what
 * the user sees is what ssh would show. Two rules, as in OpenSSH:
 *
 * - Log lines (log.c do_log): the line is formatted into a 1024-byte buffer, passed through
 *   strnvis(VIS_SAFE | VIS_OCTAL) into another and written as "%.1021s\r\n". Printable ASCII, space,
 *   TAB, LF, BEL, BS and CR pass; a backslash doubles; every other byte (ESC, DEL, every byte >= 0x80,
 *   whatever the locale) becomes a three-digit octal escape (\033, \233).
 * - Server text shown as such (utf8.c vasnmprintf: the USERAUTH_BANNER, keyboard-interactive prompts,
 *   names and instructions): in a UTF-8 locale printable characters pass as they are; LF, CR and TAB
 *   pass; every byte of a non-printable character (C0, DEL, C1 such as U+009B, unassigned code points,
 *   U+2028/U+2029) or of invalid UTF-8 becomes an octal escape. In any other locale every byte >= 0x80
 *   is escaped too. Backslashes pass unchanged.
 *
 * Both take text as produced by wire/text.ts decodeText, so invalid bytes are escaped as the bytes
 * they were.
 */
import { encodeText } from '../wire/text.js';

/** OpenSSH's MSGBUFSIZ: what one log line can hold, terminating NUL included. */
const LOG_BUFFER = 1024;
/** A line strnvis(VIS_SAFE) leaves as it is: printable ASCII but the backslash, and TAB, LF, BEL, BS, CR. */
const SAFE_ASCII = /^[\x20-\x5b\x5d-\x7e\t\n\x07\x08\r]*$/;

function octal(byte: number): string {
  return '\\' + byte.toString(8).padStart(3, '0');
}

/** strnvis(VIS_SAFE | VIS_OCTAL)'s verdict for one byte: the byte itself, or its escape. */
function visSafe(byte: number): string {
  if (byte === 0x5c) return '\\\\';
  if ((byte > 0x20 && byte < 0x7f) || byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x07 || byte === 0x08 || byte === 0x0d) {
    return String.fromCharCode(byte);
  }
  return octal(byte);
}

/**
 * One log line (level prefix included, without the line ending) as ssh writes it: cut at a NUL, at
 * 1023 bytes, escaped into at most 1023 bytes (an escape that does not fit is dropped whole), then cut
 * to 1021 bytes (which may split an escape, as ssh's "%.*s" does).
 */
export function visLogLine(line: string): string {
  // Most lines (every one at -vvv) need nothing: printable ASCII, short enough.
  if (line.length <= LOG_BUFFER - 3 && SAFE_ASCII.test(line)) return line;
  let bytes = encodeText(line);
  const nul = bytes.indexOf(0);
  if (nul >= 0) bytes = bytes.subarray(0, nul);
  bytes = bytes.subarray(0, LOG_BUFFER - 1);
  let out = '';
  for (const byte of bytes) {
    const shown = visSafe(byte);
    if (out.length + shown.length > LOG_BUFFER - 1) break;
    out += shown;
  }
  return out.slice(0, LOG_BUFFER - 3);
}

/** The charset ssh's msetlocale leaves it in: UTF-8 shows printable non-ASCII text, ASCII escapes it. */
export type TerminalCharset = 'utf-8' | 'ascii';

/**
 * The charset of the locale ssh would run in under `env` (utf8.c msetlocale: setlocale(LC_CTYPE, ""), so
 * LC_ALL, LC_CTYPE, LANG, the first one not empty; its Turkic fallbacks keep the charset). Whether the
 * locale is installed is not checked (ssh falls back to C when it is not).
 */
export function terminalCharset(env: Readonly<Record<string, string | undefined>>): TerminalCharset {
  const name = [env['LC_ALL'], env['LC_CTYPE'], env['LANG']].find((v) => v !== undefined && v !== '') ?? 'C';
  return /\.utf-?8(@|$)/i.test(name) ? 'utf-8' : 'ascii';
}

// Not printable to glibc (wcwidth -1): controls, unassigned code points and the two separators.
// Lone surrogates are the bytes wire/text.ts could not decode.
const NOT_PRINTABLE = /[\p{Cc}\p{Cn}\p{Cs}\u2028\u2029]/u;

/** Server text for the terminal, as ssh's fmprintf/asmprintf show it (see the top of this file). */
export function visTerminal(text: string, charset: TerminalCharset): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code === 0) break;
    if (code === 0x0a || code === 0x0d || code === 0x09) out += char;
    else if (code < 0x80 ? code >= 0x20 && code < 0x7f : charset === 'utf-8' && !NOT_PRINTABLE.test(char)) out += char;
    else for (const byte of encodeText(char)) out += octal(byte);
  }
  return out;
}
