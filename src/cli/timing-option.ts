/**
 * `--timing[=SPEC]`, one of tssh's own long options. SPEC: empty (text on stderr), `json` (JSON on stderr),
 * `FILE` (text into FILE) or `json:FILE` (JSON into FILE). A file named `json` is written `./json`.
 */
export interface TimingRequest {
  format: 'text' | 'json';
  /** Where to write; undefined = stderr. */
  file: string | undefined;
}

/** The request for one `--...` argument, or undefined when it is not --timing. */
export function parseTimingOption(arg: string): TimingRequest | undefined {
  if (arg === '--timing') return { format: 'text', file: undefined };
  if (!arg.startsWith('--timing=')) return undefined;
  const spec = arg.slice('--timing='.length);
  if (spec === '' || spec === 'text') return { format: 'text', file: undefined };
  if (spec === 'json') return { format: 'json', file: undefined };
  if (spec.startsWith('json:') && spec.length > 'json:'.length) return { format: 'json', file: spec.slice('json:'.length) };
  if (spec.startsWith('text:') && spec.length > 'text:'.length) return { format: 'text', file: spec.slice('text:'.length) };
  return { format: 'text', file: spec };
}
