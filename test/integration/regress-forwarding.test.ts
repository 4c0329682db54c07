/**
 * OpenSSH 9.2's forwarding regress scripts with tssh as the client: -L/-R chains with a master (-M -S,
 * -O exit), forwards through ssh_config, -O cancel, and -D SOCKS4/5 through a master.
 * With REGRESS_TESTS set, regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : ['forwarding', 'dynamic-forward']);
