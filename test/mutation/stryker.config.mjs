// Mutation testing of the security-critical modules (`npm run mutate`; not part of npm test).
// Stryker instruments the TypeScript sources in a sandbox copy, tsc compiles it there, and the TAP
// runner runs node:test files of the compiled tree, one process per file. Coverage is per test file,
// so each mutant runs only the unit and pair test files that execute its code, stopping at the first
// failure. Scores and the equivalent mutants: test/mutation/EQUIVALENT.md.
//   TSSH_MUTATE="src/auth/*.ts"   mutate only these files (comma-separated globs)
//   TSSH_MUTATE_CONCURRENCY=1     test processes at once (default 2; the machine has 2 shared cores)
//   TSSH_MUTATE_REPORT=name          reports/mutation/name.json and .html (default: mutation)
//   TSSH_MUTATE_BASELINE=1        without the test files written against surviving mutants
const MODULES = [
  // packet codec and MAC/AEAD checks
  'src/transport/packet-codec.ts',
  'src/crypto/protection.ts',
  'src/crypto/cipher/*.ts',
  'src/crypto/mac/*.ts',
  // key exchange: signature over H, same host key on rekey, DH/ECDH value checks, strict KEX
  'src/transport/key-exchange.ts',
  'src/crypto/kex/*.ts',
  // host-key policy, known_hosts matching, certificate validation
  'src/hostkeys/*.ts',
  'src/crypto/keys/certificate.ts',
  // user authentication state
  'src/auth/*.ts',
];

const UNIT = [
  'protection', 'packet-encoder', 'mac-hmac', 'cipher-known-answer', 'cipher-poly1305', 'chacha-header',
  'kex', 'kex-tamper', 'kex-openssh', 'kex-mlkem', 'kex-sntrup761', 'certificate',
  'known-hosts', 'known-hosts-patterns', 'known-hosts-revoked', 'known-hosts-update', 'hostkey-policy', 'hostkey-policy-options',
  'auth-flow', 'auth-keys', 'agent-protocol',
];
/** The tests written to kill what survived the first run (left out with TSSH_MUTATE_BASELINE=1, to measure before/after). */
const CHECKS = ['packet-checks', 'kex-checks', 'hostkey-checks', 'certificate-checks', 'auth-checks'];
const PAIR = ['transport', 'data-path'];

const only = process.env.TSSH_MUTATE?.split(',').filter((glob) => glob !== '');

export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  mutate: only ?? MODULES,
  // The sandbox gets sources, tests and config; dist is built there from the instrumented sources.
  ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'man', '.ci', '.git'],
  buildCommand: 'tsc -p tsconfig.json',
  tap: {
    testFiles: [...UNIT, ...(process.env.TSSH_MUTATE_BASELINE ? [] : CHECKS)].map((name) => `dist/test/unit/${name}.test.js`).concat(PAIR.map((name) => `dist/test/pair/${name}.test.js`)),
    nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.TSSH_MUTATE_CONCURRENCY ?? 2),
  // A mutant may loop for ever (a bound check turned off): it times out, which counts as killed.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  // The first run (every test file once, collecting coverage) takes minutes on a loaded machine.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'json', 'html', 'progress-append-only'],
  jsonReporter: { fileName: `reports/mutation/${process.env.TSSH_MUTATE_REPORT ?? 'mutation'}.json` },
  htmlReporter: { fileName: `reports/mutation/${process.env.TSSH_MUTATE_REPORT ?? 'mutation'}.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 95, low: 85, break: null },
};
