/**
 * ssh_config(5) syntax: text → ordered lines of `keyword arguments` with their file and line number.
 * Purely syntactic: what a keyword means, and whether a line applies, is decided by evaluate.ts.
 *
 * Rules (OpenSSH readconf.c / misc.c): trailing whitespace is stripped; a line whose first word starts
 * with `#` is a comment; the keyword ends at whitespace, `=` or `"`; one `=` (with optional spaces)
 * may separate it from the arguments; arguments are split on spaces and tabs, double or single quotes
 * group words, `\` escapes a quote, a backslash or (outside quotes) a space, and a word starting with
 * `#` ends the line.
 */
import { splitArguments } from '../text/words.js';

export interface ConfigLine {
  file: string;
  line: number;
  /** The keyword as written, lowercased (keywords are case-insensitive, arguments are not). */
  keyword: string;
  /** True if nothing follows the keyword: OpenSSH rejects that for every keyword. */
  missingArgument: boolean;
  /** The arguments, unquoted; undefined if the quotes do not balance. */
  args: string[] | undefined;
  /** Everything after the keyword and its separator, as written (RemoteCommand and the like take it whole). */
  rest: string;
}

const WHITESPACE = ' \t\r\n';
const TRAILING_WHITESPACE = /[ \t\r\n\f]+$/;

/** Splits a config file's text into its non-blank, non-comment lines. */
export function parseConfigText(text: string, file: string): ConfigLine[] {
  const lines: ConfigLine[] = [];
  const rawLines = text.split('\n');
  // A final newline does not start another line.
  if (rawLines.length > 0 && rawLines[rawLines.length - 1] === '') rawLines.pop();
  rawLines.forEach((raw, index) => {
    const parsed = parseConfigLine(raw, file, index + 1);
    if (parsed !== undefined) lines.push(parsed);
  });
  return lines;
}

/** Parses one line; undefined for a blank line or a comment. */
export function parseConfigLine(raw: string, file: string, line: number): ConfigLine | undefined {
  const text = raw.replace(TRAILING_WHITESPACE, '');
  let split = splitKeyword(text);
  // A line starting with whitespace yields an empty first word: take the next one.
  if (split !== undefined && split.keyword === '' && split.rest !== undefined) split = splitKeyword(split.rest);
  if (split === undefined || split.keyword === '' || split.keyword.startsWith('#')) return undefined;
  const rest = (split.rest ?? '').replace(/^[ \t\r\n]+/, '');
  const keyword = split.keyword.toLowerCase();
  if (rest === '') return { file, line, keyword, missingArgument: true, args: [], rest };
  return { file, line, keyword, missingArgument: false, args: splitArguments(rest), rest };
}

/**
 * Takes the first word off a line, as OpenSSH's strdelim() does with `=` as a separator. Returns
 * undefined for an unterminated quoted keyword (OpenSSH then ignores the line).
 */
function splitKeyword(text: string): { keyword: string; rest: string | undefined } | undefined {
  let end = 0;
  while (end < text.length && !(WHITESPACE + '"=').includes(text[end]!)) end++;
  if (end === text.length) return { keyword: text, rest: undefined };
  if (text[end] === '"') {
    const close = text.indexOf('"', end + 1);
    if (close < 0) return undefined;
    const keyword = text.slice(0, end) + text.slice(end + 1, close);
    return { keyword, rest: skipWhitespace(text, close + 1) };
  }
  const keyword = text.slice(0, end);
  const sawEquals = text[end] === '=';
  let pos = skipWhitespace(text, end + 1);
  // Only one `=` may separate the keyword from its arguments.
  if (!sawEquals && pos.startsWith('=')) pos = pos.slice(1).replace(/^[ \t\r\n]+/, '');
  return { keyword, rest: pos };
}

function skipWhitespace(text: string, from: number): string {
  return text.slice(from).replace(/^[ \t\r\n]+/, '');
}

