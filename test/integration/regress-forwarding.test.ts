/**
 * OpenSSH 9.2's forwarding regress scripts with tssh as the client: -L/-R chains with a master (-M -S,
 * -O exit), forwards through ssh_config, -O cancel, and -D SOCKS4/5 through a master.
 * With REGRESS_TESTS set, regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

// forwarding (a chain of nine -L and nine -R through one master) hung once under the whole suite's
// load, as forward-control's -R checks do (see regress-forward-control.test.ts): it runs with
// TSSH_REGRESS_FORWARD_CONTROL=1 until that is found.
const forwarding = process.env.TSSH_REGRESS_FORWARD_CONTROL === '1' ? ['forwarding'] : [];
regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : [...forwarding, 'dynamic-forward']);
