/**
 * OpenSSH's regress scripts with tssh as the client (see test/support/regress.ts): sessions — exit
 * status and signals, stderr, pipes closing early, banners, environment. With REGRESS_TESTS set,
 * regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(
  process.env.REGRESS_TESTS !== undefined
    ? []
    : ['exit-status-signal', 'stderr-after-eof', 'transfer', 'broken-pipe', 'yes-head', 'banner', 'envpass', 'forcecommand'],
);
