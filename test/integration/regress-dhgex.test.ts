/**
 * OpenSSH 9.2's dhgex regress script with tssh as the client (see test/support/regress.ts): for each
 * cipher and both group-exchange methods (SHA-1 and SHA-256), the group size tssh requests (its -vvv
 * "SSH2_MSG_KEX_DH_GEX_REQUEST(min<n<max) sent" line: 3072 bits for 3des-cbc and 128-bit ciphers, 7680
 * for 192, 8192 for 256 and chacha20) and the size of the group it got ("bits set: n/p"). With
 * REGRESS_TESTS set, regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : ['dhgex']);
