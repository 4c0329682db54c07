/**
 * The value syntaxes ssh_config keywords and ssh(1) flags share (ports, time intervals, byte counts,
 * escape characters) and the error a config line raises, with OpenSSH's exact wording.
 */

/** A config line that cannot be accepted. `lines` are the messages OpenSSH prints for it. */
export class DirectiveError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.name = 'DirectiveError';
    this.lines = lines;
  }
}

export interface Where {
  file: string;
  line: number;
}

/** The file name of `-o` lines in messages (`command-line line 0: ...`). */
export const COMMAND_LINE = 'command-line';

/** The `<file> line <n>` prefix of most OpenSSH config messages. */
export function at(where: Where): string {
  return `${where.file} line ${where.line}`;
}

/**
 * A port number as OpenSSH's a2port() reads it: decimal 1..65535, leading whitespace and a sign
 * allowed. (Service names from /etc/services are not looked up.)
 */
export function parsePort(text: string): number | undefined {
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text.trim());
  return Number.isInteger(value) && value > 0 && value <= 65535 ? value : undefined;
}

/**
 * A time interval in OpenSSH's convtime() syntax: `90`, `1m30s`, `1h`, `2d`, `1w`; at most INT_MAX
 * seconds. Returns undefined if invalid.
 */
export function parseTimeInterval(text: string): number | undefined {
  if (text === '') return undefined;
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const INT_MAX = 2 ** 31 - 1;
  let total = 0;
  const part = /^(\d+)([smhdwSMHDW]?)/;
  let rest = text;
  while (rest.length > 0) {
    const found = part.exec(rest);
    if (found === null) return undefined;
    const seconds = Number(found[1]) * units[(found[2] || 's').toLowerCase()]!;
    if (seconds > INT_MAX || total > INT_MAX - seconds) return undefined;
    total += seconds;
    rest = rest.slice(found[0].length);
  }
  return total;
}

/**
 * A byte count in OpenBSD scan_scaled() syntax: an integer or decimal with an optional unit
 * B/K/M/G/T/P/E (powers of 1024). Returns the value or the errno text for OpenSSH's message.
 */
export function parseScaledBytes(text: string): number | 'Invalid argument' | 'Numerical result out of range' {
  const found = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:([BKMGTPEbkmgtpe])(?![A-Za-z0-9]).*)?$/s.exec(text);
  if (found === null) return 'Invalid argument';
  const [, sign, whole = '', fraction = '', unit] = found;
  if (whole.length >= 20) return 'Numerical result out of range';
  const scale = unit === undefined ? 1n : 1024n ** BigInt('BKMGTPE'.indexOf(unit.toUpperCase()));
  let value = BigInt(whole === '' ? '0' : whole) * scale;
  if (unit !== undefined && fraction !== '') value += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
  if (value > 2n ** 63n - 1n) return 'Numerical result out of range';
  return Number(sign === '-' ? -value : value);
}

/**
 * An escape character as ssh's -e and EscapeChar read it: `none`, one byte, or `^X` (X in 0x40..0x7f,
 * giving X & 31). Returns the byte, 'none', or undefined if invalid.
 */
export function parseEscapeChar(text: string): number | 'none' | undefined {
  const bytes = Buffer.from(text, 'utf8');
  if (text === 'none') return 'none';
  if (bytes.length === 1) return bytes[0]!;
  if (bytes.length === 2 && bytes[0] === 0x5e && bytes[1]! >= 64 && bytes[1]! < 128) return bytes[1]! & 31;
  return undefined;
}
