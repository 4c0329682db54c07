/**
 * Decryption of an encrypted OpenSSH private key container (PROTOCOL.key): the key and IV come from
 * bcrypt_pbkdf(passphrase, salt, rounds) (kdfoptions: string salt, uint32 rounds), and the private
 * section is AES-CTR or AES-CBC encrypted, as ssh-keygen writes it (aes256-ctr by default). Done here
 * rather than by sshpk so that every key type tssh knows can be encrypted, those sshpk does not know
 * (security keys, ML-DSA/Ed25519) included. bcrypt_pbkdf comes from the bcrypt-pbkdf package.
 */
import { createDecipheriv } from 'node:crypto';
import { createRequire } from 'node:module';
import { SshReader } from '../../wire/reader.js';
import { keyError } from './ssh-public-key.js';

interface BcryptPbkdf {
  pbkdf(pass: Uint8Array, passlen: number, salt: Uint8Array, saltlen: number, key: Uint8Array, keylen: number, rounds: number): number;
}

/** OpenSSH cipher name → node cipher, key and IV lengths. */
const CIPHERS: Readonly<Record<string, { node: string; keyLength: number; ivLength: number }>> = {
  'aes128-ctr': { node: 'aes-128-ctr', keyLength: 16, ivLength: 16 },
  'aes192-ctr': { node: 'aes-192-ctr', keyLength: 24, ivLength: 16 },
  'aes256-ctr': { node: 'aes-256-ctr', keyLength: 32, ivLength: 16 },
  'aes128-cbc': { node: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
  'aes192-cbc': { node: 'aes-192-cbc', keyLength: 24, ivLength: 16 },
  'aes256-cbc': { node: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
};

export function canDecryptOpenSSH(cipher: string, kdf: string): boolean {
  return kdf === 'bcrypt' && Object.hasOwn(CIPHERS, cipher);
}

/**
 * The decrypted private section. Throws 'incorrect passphrase supplied to decrypt private key' when
 * the check integers differ, as ssh-keygen says it.
 */
export function decryptOpenSSHSection(cipher: string, kdfOptions: Buffer, section: Buffer, passphrase: string): Buffer {
  const spec = CIPHERS[cipher];
  if (spec === undefined) throw keyError(`unknown cipher ${JSON.stringify(cipher)}`);
  const r = new SshReader(kdfOptions, 'kdf options');
  const salt = r.string();
  const rounds = r.uint32();
  r.end();
  if (rounds === 0 || section.length % 16 !== 0) throw keyError('invalid format');
  const require = createRequire(import.meta.url);
  const bcrypt = require('bcrypt-pbkdf') as BcryptPbkdf;
  const pass = Buffer.from(passphrase, 'utf8');
  const derived = Buffer.alloc(spec.keyLength + spec.ivLength);
  if (bcrypt.pbkdf(pass, pass.length, salt, salt.length, derived, derived.length, rounds) !== 0) throw keyError('invalid format');
  pass.fill(0);
  const decipher = createDecipheriv(spec.node, derived.subarray(0, spec.keyLength), derived.subarray(spec.keyLength));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(section), decipher.final()]);
  derived.fill(0);
  if (plain.length < 8 || plain.readUInt32BE(0) !== plain.readUInt32BE(4)) {
    plain.fill(0);
    throw keyError('incorrect passphrase supplied to decrypt private key');
  }
  return plain;
}
