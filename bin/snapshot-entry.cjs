// What bin/build-snapshot.mjs has node --build-snapshot run: the CommonJS bundle of
// src/cli/snapshot.ts (path in TSSH_SNAPSHOT_BUNDLE), compiled with lazy compilation off, so the
// snapshot holds bytecode for every function and a run compiles none of tssh's own code (measured:
// ~8 ms less CPU a connection). The flag is restored before the snapshot is taken, so the blob's V8
// flags are node's defaults, which node checks when it loads a snapshot.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const bundle = process.env.TSSH_SNAPSHOT_BUNDLE;
const source = fs.readFileSync(bundle, 'utf8');
v8.setFlagsFromString('--no-lazy');
let load;
try {
  load = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle });
} finally {
  v8.setFlagsFromString('--lazy');
}
const module_ = { exports: {} };
load(module_.exports, require, module_, bundle, path.dirname(bundle));
