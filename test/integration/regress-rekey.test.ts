/**
 * OpenSSH 9.2's rekey regress script with tssh as the client: data-volume limits for every kex, cipher
 * and MAC tssh lists (`tssh -Q`), the AEAD ciphers with every kex, limits down to 16 bytes on either
 * side, time limits with and without data, and sshd's RekeyLimit parsing. Its time-based subtests
 * sleep 108 s in all (ssh takes 4.5 minutes for the whole script), so it runs as five parts at once,
 * each well inside the 90 s a regress script may take (test/support/regress-parts.ts). With
 * REGRESS_TESTS set, regress.test.ts runs the chosen scripts and this file runs none.
 */
import { regressParts } from '../support/regress-parts.js';

const PARTS = [
  { name: 'each kex, cipher and MAC at RekeyLimit 256k', subtests: /^client rekey \$opt$/ },
  { name: 'AEAD ciphers with every kex', subtests: /^client rekey \$c \$kex$/ },
  { name: 'client time limit during a transfer; RekeyLimit parsing', subtests: /^(client rekeylimit default \$\{s\}|rekeylimit parsing)$/ },
  { name: 'client time limit when idle; client byte limits down to 16', subtests: /^client rekeylimit (default \$\{s\} no data|\$\{s\})$/ },
  { name: 'server byte and time limits', subtests: undefined },
];

if (process.env.REGRESS_TESTS === undefined) regressParts('rekey', PARTS);
