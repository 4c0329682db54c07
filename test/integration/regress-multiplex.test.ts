/**
 * OpenSSH 9.2's multiplex regress script with tssh as master and client: sessions, scp and sftp
 * (-S tssh) through the master, exit statuses, -O check/forward/cancel/stop/exit, ControlPersist
 * races. It sleeps ~20 s on its own, so it has a file of its own. With REGRESS_TESTS set,
 * regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : ['multiplex']);
