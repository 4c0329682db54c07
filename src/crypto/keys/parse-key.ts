/** Any public key blob, plain or certificate, to a verifying key: the one entry point both kinds share. */
import { SshReader } from '../../wire/reader.js';
import { isCertificateName, parseCertifiedPublicKey } from './certificate.js';
import { parseSshPublicKey } from './public-key.js';
import type { PublicKey } from './types.js';

/**
 * Parses a public key blob (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709) into a verifying key. An OpenSSH
 * certificate (`*-cert-v01@openssh.com`) is parsed with its CA signature verified; the key it yields
 * verifies signatures of the certified key.
 */
export function parsePublicKeyBlob(blob: Buffer): PublicKey {
  if (isCertificateName(blobTypeName(blob))) return parseCertifiedPublicKey(blob);
  return parseSshPublicKey(blob);
}

function blobTypeName(blob: Buffer): string {
  try {
    return new SshReader(blob, 'public key').string().toString('latin1');
  } catch {
    return '';
  }
}
