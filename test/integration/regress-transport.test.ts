/**
 * OpenSSH's regress scripts with tssh as the client (see test/support/regress.ts): every cipher and
 * MAC, and packet integrity (a bit flipped in the server's output must end the connection with the
 * MAC error, 20 s). With REGRESS_TESTS set, regress.test.ts runs the chosen scripts and this file
 * runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : ['try-ciphers', 'integrity']);
