/** Rekeying against OpenSSH 10.x's sshd: one cipher started by each side (rekey-cases.ts). */
import { rekeyTests } from './rekey-cases.js';

rekeyTests('10', [
  { cipher: 'chacha20-poly1305@openssh.com', side: 'server' },
  { cipher: 'aes256-gcm@openssh.com', side: 'client' },
]);
