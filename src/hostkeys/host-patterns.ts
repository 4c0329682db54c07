/**
 * The host-pattern matching known_hosts needs (OpenSSH match.c semantics): `*` and `?` wildcards,
 * comma-separated lists, `!` negation. Kept local to hostkeys/ for now; config/patterns.ts implements
 * the same rules for ssh_config and the two are to be unified.
 */

/** Outcome of matching a name against a pattern list, as OpenSSH's match_pattern_list returns it. */
export type PatternListResult = 'match' | 'no-match' | 'negated';

/** OpenSSH refuses (treats as no match) any single subpattern of 1023 characters or more. */
const MAX_SUBPATTERN_LENGTH = 1022;

/** ASCII-only lowercasing, as C's tolower() in the C locale does. */
export function asciiLowercase(s: string): string {
  return s.replace(/[A-Z]+/g, (c) => c.toLowerCase());
}

/**
 * Glob match of the whole string: `*` matches any run (also empty), `?` exactly one character, anything
 * else itself. Iterative with single-star backtracking, so hostile patterns cannot blow up.
 */
export function matchPattern(s: string, pattern: string): boolean {
  let si = 0;
  let pi = 0;
  let starPi = -1; // pattern index just after the last '*' seen
  let starSi = 0; // string index that '*' currently absorbs up to
  while (si < s.length) {
    const pc = pattern[pi];
    if (pc === '*') {
      starPi = ++pi;
      starSi = si;
    } else if (pc !== undefined && (pc === '?' || pc === s[si])) {
      pi++;
      si++;
    } else if (starPi >= 0) {
      pi = starPi;
      si = ++starSi;
    } else {
      return false;
    }
  }
  while (pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/**
 * Matches `name` against a comma-separated pattern list. A matching `!pattern` makes the result
 * 'negated' whatever else matched; otherwise 'match' if any positive pattern matched.
 */
export function matchPatternList(name: string, patternList: string, lowercasePatterns: boolean): PatternListResult {
  let positive = false;
  const patterns = patternList.split(',');
  if (patterns[patterns.length - 1] === '') patterns.pop(); // a trailing comma adds no empty pattern
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    let sub = negated ? raw.slice(1) : raw;
    if (sub.length > MAX_SUBPATTERN_LENGTH) return 'no-match';
    if (lowercasePatterns) sub = asciiLowercase(sub);
    if (matchPattern(name, sub)) {
      if (negated) return 'negated';
      positive = true;
    }
  }
  return positive ? 'match' : 'no-match';
}

/** OpenSSH match_hostname: case-insensitive pattern-list match of a host name. */
export function matchHostname(host: string, patternList: string): PatternListResult {
  return matchPatternList(asciiLowercase(host), patternList, true);
}
