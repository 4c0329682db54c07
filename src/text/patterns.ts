/**
 * OpenSSH pattern matching (ssh_config(5) PATTERNS, OpenSSH match.c semantics), shared by ssh_config
 * Host/Match lines, algorithm lists and known_hosts.
 *
 * A pattern uses `*` (any run of characters, possibly empty) and `?` (exactly one character); every other
 * character matches itself, case-sensitively. A pattern-list is comma separated and an entry may start
 * with `!` to negate it: a negated entry that matches makes the whole list fail, and a list with only
 * negated entries never matches.
 */

/** Entries this long or longer never match (OpenSSH match_pattern_list's buffer limit). */
const MAX_ENTRY_LENGTH = 1023;

/** Result of matching against a pattern-list: a negated entry matched, nothing matched, or a positive match. */
export type PatternListResult = -1 | 0 | 1;

/** True if `text` matches the single wildcard pattern `pattern` (no lists, no negation). */
export function matchPattern(text: string, pattern: string): boolean {
  // Greedy matching with backtracking to the last `*`: linear for the common cases, never exponential.
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '*') {
      starP = p++;
      starT = t;
    } else if (pc !== undefined && (pc === '?' || pc === text[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * Matches `text` against a comma-separated pattern-list. With `lowercasePatterns` each entry is
 * lowercased first (OpenSSH does this for host names). Returns -1 as soon as a negated entry matches.
 */
export function matchPatternList(text: string, list: string, lowercasePatterns = false): PatternListResult {
  let positive = false;
  const entries = list.split(',');
  // OpenSSH's loop stops at the end of the string: a trailing comma adds no empty entry.
  if (entries.length > 1 && entries[entries.length - 1] === '') entries.pop();
  for (const rawEntry of entries) {
    const negated = rawEntry.startsWith('!');
    let entry = negated ? rawEntry.slice(1) : rawEntry;
    // OpenSSH copies each entry into a 1024-byte buffer and gives up (no match) on longer ones.
    if (entry.length >= MAX_ENTRY_LENGTH) return 0;
    if (lowercasePatterns) entry = asciiLowercase(entry);
    if (matchPattern(text, entry)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/** Host-name matching: the host name and the patterns are compared in lowercase. */
export function matchHostname(host: string, list: string): PatternListResult {
  return matchPatternList(asciiLowercase(host), list, true);
}

/** The entries of `names` (in their order) that match `pattern`, a pattern-list (allow-list filter). */
export function filterAllowed(names: readonly string[], pattern: string): string[] {
  return names.filter((name) => matchPatternList(name, pattern) === 1);
}

/** The entries of `names` (in their order) that do not match the pattern-list `pattern` (deny-list filter). */
export function filterDenied(names: readonly string[], pattern: string): string[] {
  return names.filter((name) => matchPatternList(name, pattern) !== 1);
}

/** True if the string contains a wildcard character. */
export function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

/** Lowercases ASCII letters only, like C's tolower() in the "C" locale. */
export function asciiLowercase(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}
