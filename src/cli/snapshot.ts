/**
 * The entry point of tssh's V8 startup snapshot. npm run build bundles this file
 * (dist/tssh-snapshot.cjs) and bin/build-snapshot.mjs has node evaluate it with --build-snapshot
 * (through bin/snapshot-entry.cjs, which compiles it eagerly) into dist/tssh.blob, so a
 * `node --snapshot-blob dist/tssh.blob` starts from a heap in which every module, and the Node
 * built-ins they use, are already loaded: start-up costs what `node -e 0` costs, plus a few ms.
 *
 * bin/tssh runs `node --snapshot-blob dist/tssh.blob -- bin/tssh ARGS...`, so process.argv is
 * [node, bin/tssh, ARGS...] as in a run without the snapshot (and -f can start bin/tssh again).
 * Nothing here runs when the snapshot is built except module evaluation: no module may read the
 * environment, the terminal or the time at the top level (the house rule already).
 */
import v8 from 'node:v8';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from './main.js';

v8.startupSnapshot.setDeserializeMainFunction(() => {
  // The bundle is CommonJS, where esbuild maps import.meta.url (used to require() packages lazily)
  // to this global: the ES bundle's URL beside the blob, so packages resolve from the same node_modules.
  (globalThis as { TSSH_BUNDLE_URL?: string }).TSSH_BUNDLE_URL = pathToFileURL(path.join(path.dirname(process.argv[1]!), '..', 'dist', 'tssh.mjs')).href;
  void main();
});
