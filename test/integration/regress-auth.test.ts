/**
 * OpenSSH's regress scripts with tssh as the client (see test/support/regress.ts): keys, key options
 * and certificates. Key types and the agent are in regress-keytypes.test.ts. With REGRESS_TESTS set,
 * regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(
  process.env.REGRESS_TESTS !== undefined
    ? []
    : ['brokenkeys', 'key-options', 'multipubkey', 'cert-file', 'keys-command', 'principals-command'],
);
