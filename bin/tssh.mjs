// tssh without the start-up snapshot (bin/tssh runs this when dist/tssh.blob is missing or stale).
// It runs the bundled CLI (dist/tssh.mjs: one file, so start-up skips resolving and loading ~140
// modules) when that is at least as new as the tsc output, else the tsc output itself, so a plain
// `tsc` build is never shadowed by a stale bundle. `npm run build` writes both.
import { statSync } from 'node:fs';

const modified = (file) => statSync(new URL(file, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const entry = modified('../dist/tssh.mjs') >= modified('../dist/src/cli/main.js') ? '../dist/tssh.mjs' : '../dist/src/cli/main.js';
import(entry).then((cli) => cli.main());
