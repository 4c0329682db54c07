// Mutation testing of the security-critical modules (`npm run mutate`, which runs test/mutation/run.mjs;
// not part of npm test). Stryker instruments the TypeScript sources in a sandbox copy, tsc compiles it
// there, and the TAP runner runs node:test files of the compiled tree, one process per file. Each
// module group has its own focused test files, and coverage is per test file, so a mutant runs only
// those of its group's files that execute its code, stopping at the first failure.
// Scores and the equivalent mutants: test/mutation/EQUIVALENT.md.
//   TSSH_MUTATE_GROUP=codec            one group (codec, kex, hostkeys, auth); run.mjs sets it
//   TSSH_MUTATE="src/auth/*.ts"        mutate only these files (comma-separated globs) of the group
//   TSSH_MUTATE_CONCURRENCY=1          test processes at once (default 2; the machine has 2 shared cores)
//   TSSH_MUTATE_BASELINE=1             without the test files written against surviving mutants
//   TSSH_MUTATE_ALL_KILLERS=1          run every covering test file even after one failed, so each
//                                      report also tells which mutants the older tests alone kill

/** Per group: the modules mutated, the tests that predate mutation testing, and the ones written for it. */
export const GROUPS = {
  // packet codec and MAC/AEAD checks
  codec: {
    mutate: ['src/transport/packet-codec.ts', 'src/crypto/protection.ts', 'src/crypto/cipher/*.ts', 'src/crypto/mac/*.ts'],
    tests: ['unit/protection', 'unit/packet-encoder', 'unit/mac-hmac', 'unit/cipher-known-answer', 'unit/cipher-poly1305', 'unit/chacha-header', 'pair/data-path', 'pair/transport'],
    checks: ['unit/packet-checks', 'unit/codec-checks'],
  },
  // key exchange: signature over H, same host key on rekey, DH/ECDH value checks, strict KEX
  kex: {
    mutate: ['src/transport/key-exchange.ts', 'src/crypto/kex/*.ts'],
    // Not pair/transport (5 s a run): it reaches these modules only through a completed, honest handshake.
    tests: ['unit/kex', 'unit/kex-tamper', 'unit/kex-openssh', 'unit/kex-mlkem', 'unit/kex-sntrup761'],
    checks: ['unit/kex-checks'],
  },
  // host-key policy, known_hosts matching, certificate validation
  hostkeys: {
    mutate: ['src/hostkeys/*.ts', 'src/crypto/keys/certificate.ts'],
    tests: ['unit/known-hosts', 'unit/known-hosts-patterns', 'unit/known-hosts-revoked', 'unit/known-hosts-update', 'unit/hostkey-policy', 'unit/hostkey-policy-options', 'unit/certificate'],
    checks: ['unit/hostkey-checks', 'unit/certificate-checks', 'unit/known-hosts-checks'],
  },
  // user authentication state
  auth: {
    mutate: ['src/auth/*.ts'],
    tests: ['unit/auth-flow', 'unit/auth-keys', 'unit/agent-protocol'],
    checks: ['unit/auth-checks'],
  },
};

const group = GROUPS[process.env.TSSH_MUTATE_GROUP ?? 'codec'];
if (!group) throw new Error(`TSSH_MUTATE_GROUP must be one of ${Object.keys(GROUPS).join(', ')}`);
const only = process.env.TSSH_MUTATE?.split(',').filter((glob) => glob !== '');
const tests = [...group.tests, ...(process.env.TSSH_MUTATE_BASELINE ? [] : group.checks)];
const report = process.env.TSSH_MUTATE_REPORT ?? process.env.TSSH_MUTATE_GROUP ?? 'codec';

export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  mutate: only ?? group.mutate,
  // The sandbox gets sources, tests and config; dist is built there from the instrumented sources.
  ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'man', '.ci', '.git'],
  buildCommand: 'tsc -p tsconfig.json',
  tap: {
    testFiles: tests.map((name) => `dist/test/${name}.test.js`),
    nodeArgs: ['--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  disableBail: process.env.TSSH_MUTATE_ALL_KILLERS === '1',
  concurrency: Number(process.env.TSSH_MUTATE_CONCURRENCY ?? 2),
  // A mutant may loop for ever (a bound check turned off): it times out, which counts as killed. The
  // margin is wide because a loaded machine (load average 25 seen) slows honest test runs several-fold.
  timeoutMS: 60_000,
  timeoutFactor: 3,
  // The first run (every test file once, collecting coverage) takes minutes on a loaded machine.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'json', 'html', 'progress-append-only'],
  jsonReporter: { fileName: `reports/mutation/${report}.json` },
  htmlReporter: { fileName: `reports/mutation/${report}.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 95, low: 85, break: null },
};
