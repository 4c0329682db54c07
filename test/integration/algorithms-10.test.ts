/**
 * Every kex, cipher, MAC, host key and user key type against OpenSSH 10.x's sshd (algorithm-matrix.ts):
 * mlkem768x25519-sha256, tssh's first choice, against a real server among them.
 */
import { algorithmTests } from './algorithm-matrix.js';

algorithmTests('10');
