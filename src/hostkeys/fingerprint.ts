/**
 * Key fingerprints as OpenSSH prints them (sshkey.c sshkey_fingerprint): `SHA256:<base64, unpadded>`,
 * `MD5:<hex:pairs>`, and the VisualHostKey "random art" picture. A certificate's fingerprint is its
 * certified key's (OpenSSH hashes the plain blob), so callers pass the plain blob.
 */
import { createHash } from 'node:crypto';
import type { FingerprintHash } from '../config/host-options.js';

export type { FingerprintHash } from '../config/host-options.js';

function digest(blob: Buffer, hash: FingerprintHash): Buffer {
  return createHash(hash.toLowerCase()).update(blob).digest();
}

/** The default fingerprint form: hex pairs for MD5, unpadded base64 for the SHA family. */
export function fingerprint(blob: Buffer, hash: FingerprintHash = 'SHA256'): string {
  const raw = digest(blob, hash);
  if (hash === 'MD5') return `MD5:${[...raw].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
  return `${hash}:${raw.toString('base64').replace(/=+$/, '')}`;
}

const FIELD_X = 17;
const FIELD_Y = 9;
const AUGMENTATION = ' .o+=*BOX@%&#/^SE';

/**
 * The "drunken bishop" picture of `ssh -o VisualHostKey=yes` (sshkey.c fingerprint_randomart): a walk
 * over a 17x9 field driven by the digest two bits at a time, framed with `[TYPE BITS]` and `[HASH]`.
 */
export function randomArt(blob: Buffer, hash: FingerprintHash, typeLabel: string, bits: number): string {
  const raw = digest(blob, hash);
  const max = AUGMENTATION.length - 1;
  const field: number[][] = Array.from({ length: FIELD_X }, () => new Array<number>(FIELD_Y).fill(0));
  let x = Math.floor(FIELD_X / 2);
  let y = Math.floor(FIELD_Y / 2);
  for (const byte of raw) {
    let input = byte;
    for (let step = 0; step < 4; step++) {
      x = Math.min(Math.max(x + (input & 1 ? 1 : -1), 0), FIELD_X - 1);
      y = Math.min(Math.max(y + (input & 2 ? 1 : -1), 0), FIELD_Y - 1);
      if (field[x]![y]! < max - 2) field[x]![y]!++;
      input >>= 2;
    }
  }
  field[Math.floor(FIELD_X / 2)]![Math.floor(FIELD_Y / 2)] = max - 1;
  field[x]![y] = max;

  let title = `[${typeLabel} ${bits}]`;
  if (title.length > FIELD_X) title = `[${typeLabel}]`;
  if (title.length > FIELD_X - 1) title = title.slice(0, FIELD_X - 1);
  const footer = `[${hash}]`;
  const border = (label: string): string => {
    const left = Math.floor((FIELD_X - label.length) / 2);
    return `+${'-'.repeat(left)}${label}${'-'.repeat(FIELD_X - left - label.length)}+`;
  };
  const lines = [border(title)];
  for (let row = 0; row < FIELD_Y; row++) {
    let line = '|';
    for (let col = 0; col < FIELD_X; col++) line += AUGMENTATION[Math.min(field[col]![row]!, max)];
    lines.push(`${line}|`);
  }
  lines.push(border(footer));
  return lines.join('\n');
}
