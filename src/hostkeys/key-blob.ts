/**
 * Just enough about public-key blobs for known_hosts: the short type label
 * OpenSSH prints in host-key messages, and a structural check of a blob read from a file. Full key
 * parsing and signature verification live in crypto/keys; this layer only compares blobs byte for byte.
 */
import { SshReader } from '../wire/reader.js';
import { keyTypeShortName } from '../crypto/keys/key-types.js';

/** 'ssh-ed25519' → 'ED25519', 'ecdsa-sha2-nistp384' → 'ECDSA', 'ssh-rsa' → 'RSA' (OpenSSH prints 'unknown' otherwise). */
export function keyTypeLabel(keyType: string): string {
  return keyTypeShortName(keyType) ?? 'unknown';
}

/** The fields after the type name in each plain public-key blob (RFC 4253 §6.6, RFC 5656, PROTOCOL.u2f). */
type BlobField = 'mpint' | 'string' | 'ed25519' | 'curve' | 'point';
const BLOB_LAYOUTS: Readonly<Record<string, readonly BlobField[]>> = {
  'ssh-ed25519': ['ed25519'],
  'sk-ssh-ed25519@openssh.com': ['ed25519', 'string'],
  'ssh-rsa': ['mpint', 'mpint'],
  'ssh-dss': ['mpint', 'mpint', 'mpint', 'mpint'],
  'ecdsa-sha2-nistp256': ['curve', 'point'],
  'ecdsa-sha2-nistp384': ['curve', 'point'],
  'ecdsa-sha2-nistp521': ['curve', 'point'],
  'sk-ecdsa-sha2-nistp256@openssh.com': ['curve', 'point', 'string'],
};

function curveOf(keyType: string): string | undefined {
  return /nistp(256|384|521)/.exec(keyType)?.[0];
}

/**
 * Checks that `blob` is a well-formed public key of `keyType`: its embedded type name, the field
 * layout, no trailing bytes. For a type whose layout tssh does not know (a key type newer than tssh)
 * only the embedded name is checked: the line records *a* key for its hosts, one that can never match
 * the server's, so the host reads as changed rather than new (never weaker than OpenSSH, which reports
 * such a host as changed once it can parse the type). Returns why not, or undefined. Never throws.
 */
export function keyBlobProblem(keyType: string, blob: Buffer): string | undefined {
  const layout = BLOB_LAYOUTS[keyType];
  try {
    const reader = new SshReader(blob, 'public key');
    const embedded = reader.string().toString('latin1');
    if (embedded !== keyType) return `key blob is "${embedded}", line says "${keyType}"`;
    if (layout === undefined) return reader.remaining > 0 ? undefined : 'empty key blob';
    for (const field of layout) {
      const value = reader.string();
      if (field === 'ed25519' && value.length !== 32) return 'bad ed25519 public key length';
      if (field === 'curve' && value.toString('latin1') !== curveOf(keyType)) return 'curve does not match key type';
      if (field === 'point' && (value.length === 0 || value[0] !== 0x04)) return 'bad EC point';
      if (field === 'mpint' && value.length > 0 && (value[0]! & 0x80) !== 0) return 'negative mpint';
    }
    reader.end();
    return undefined;
  } catch {
    return 'truncated or malformed key blob';
  }
}
