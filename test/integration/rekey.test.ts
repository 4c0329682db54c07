/** Rekeying against OpenSSH 9.2's sshd: every cipher kind, started by either side (rekey-cases.ts). */
import { rekeyTests } from './rekey-cases.js';

rekeyTests(
  '9.2',
  ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-gcm@openssh.com'].flatMap((cipher) => (['server', 'client'] as const).map((side) => ({ cipher, side }))),
);
