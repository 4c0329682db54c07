/**
 * OpenSSH's try-ciphers regress script with tssh as the client (see test/support/regress.ts): every
 * cipher `tssh -Q cipher` lists with every MAC `tssh -Q mac` lists (7 x 16 + 3 logins, legacy CBC and
 * MD5 ones included, so this file runs it alone). The kex, which the script does not test, is pinned to
 * curve25519-sha256 to spare a JavaScript post-quantum exchange per login. With REGRESS_TESTS set,
 * regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : ['try-ciphers'], {
  timeoutMs: 100_000,
  sshConfig: 'KexAlgorithms curve25519-sha256',
});
