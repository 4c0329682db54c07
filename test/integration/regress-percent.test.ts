/**
 * OpenSSH's regress script `percent` with tssh as the client (see test/support/regress.ts): every %
 * token in every keyword that takes them, ~45 s of ssh invocations, so it has a file of its own. With
 * REGRESS_TESTS set, regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : ['percent']);
