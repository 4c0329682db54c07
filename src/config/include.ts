/**
 * File-name expansion for `Include`: a glob(3) subset with GLOB_TILDE. `*`, `?` and `[...]` classes
 * match within one path component, a leading dot must be matched explicitly, and the result is sorted.
 * Directory access is injected so the expansion can be tested in memory.
 */
import { tildeExpand } from './tokens.js';

export interface DirectoryLister {
  /** The names in a directory, or undefined if it cannot be listed. */
  list(dir: string): string[] | undefined;
}

const MAGIC = /[*?[]/;

/** Existing paths matching `pattern` (absolute, or starting with `~`), sorted. */
export function expandInclude(pattern: string, home: string, fs: DirectoryLister): string[] {
  let path: string;
  try {
    path = tildeExpand(pattern, home);
  } catch {
    return []; // ~unknownuser: glob(3) reports no match
  }
  if (!path.startsWith('/')) return [];
  const components = path.split('/').filter((part) => part !== '');
  let candidates = ['/'];
  components.forEach((component, index) => {
    const last = index === components.length - 1;
    const next: string[] = [];
    for (const dir of candidates) {
      const entries = fs.list(dir);
      if (entries === undefined) continue;
      const matcher = MAGIC.test(component) ? globComponentMatcher(component) : (name: string) => name === component;
      for (const name of entries.filter(matcher).sort()) {
        const child = dir === '/' ? `/${name}` : `${dir}/${name}`;
        // Intermediate components must be directories we can list.
        if (last || fs.list(child) !== undefined) next.push(child);
      }
    }
    candidates = next;
  });
  return components.length === 0 ? [] : candidates.sort();
}

/** A matcher for one glob path component. */
function globComponentMatcher(component: string): (name: string) => boolean {
  let source = '';
  for (let i = 0; i < component.length; i++) {
    const ch = component[i]!;
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else if (ch === '[') {
      const close = component.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = component.slice(i + 1, close);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`, 's');
  const explicitDot = component.startsWith('.');
  return (name) => (explicitDot || !name.startsWith('.')) && regex.test(name);
}
