/**
 * OpenSSH's integrity regress script with tssh as the client (see test/support/regress.ts): a bit
 * flipped in the server's output must end the connection with the MAC error, for every MAC and AEAD
 * cipher `tssh -Q` lists (19 of them, 10 offsets each, so this file runs it alone). With REGRESS_TESTS
 * set, regress.test.ts runs the chosen scripts and this file runs none.
 *
 * The client's kex, which the script does not test, is pinned to curve25519-sha256: the script corrupts
 * from byte 2900 of the server's output on, which its comment takes to be "after kex" (a small key
 * exchange keeps it so), and it spares a JavaScript post-quantum exchange per connection.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : ['integrity'], {
  timeoutMs: 100_000,
  sshConfig: 'KexAlgorithms curve25519-sha256',
});
