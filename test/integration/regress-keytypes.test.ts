/**
 * OpenSSH's regress scripts with tssh as the client (see test/support/regress.ts): every key type,
 * PubkeyAcceptedAlgorithms, and the agent. With REGRESS_TESTS set, regress.test.ts runs the chosen
 * scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : ['limit-keytype', 'keytype', 'agent', 'agent-subprocess']);
