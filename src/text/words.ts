/**
 * Word splitting shared by ssh_config lines, KnownHostsCommand and other command lines, with OpenSSH's
 * quoting rules (misc.c argv_split).
 */

/**
 * Splits arguments like OpenSSH's argv_split(..., terminate_on_comment=1). Returns undefined when a
 * quote is not closed.
 */
export function splitArguments(text: string, terminateOnComment = true): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    if (ch === '#' && terminateOnComment) break;
    let word = '';
    let quote = '';
    for (; i < text.length; i++) {
      const c = text[i]!;
      const next = text[i + 1];
      if (c === '\\') {
        if (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' ')) {
          word += next;
          i++;
        } else {
          word += c;
        }
      } else if (quote === '' && (c === ' ' || c === '\t')) {
        break;
      } else if (quote === '' && (c === '"' || c === "'")) {
        quote = c;
      } else if (quote !== '' && c === quote) {
        quote = '';
      } else {
        word += c;
      }
    }
    if (quote !== '') return undefined;
    args.push(word);
  }
  return args;
}

/** Splits a command line into words as OpenSSH's argv_split(s, ..., terminate_on_comment=0) does. */
export function splitCommandLine(text: string): string[] | undefined {
  return splitArguments(text, false);
}
