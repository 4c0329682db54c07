/**
 * OpenSSH 9.2's hostkey-agent regress script with tssh as the client (see test/support/regress.ts): sshd
 * keeps every host key in ssh-agent, security keys (through sk-dummy.so) and DSA included, and tssh
 * connects with each type and each certificate type in turn (about 25 s). With REGRESS_TESTS set,
 * regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : ['hostkey-agent']);
