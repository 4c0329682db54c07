/**
 * OpenSSH 9.2's kextype regress script with tssh as the client (see test/support/regress.ts): four
 * logins with each key exchange `tssh -Q kex` lists. The script configures sshd with that whole list,
 * which includes mlkem768x25519-sha256; 9.2's sshd rejects the name, so the script runs against the
 * 10.x sshd. With REGRESS_TESTS set, regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressSuite } from '../support/regress.js';

regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : ['kextype'], { release: '10', timeoutMs: 100_000 });
