/** Public and private keys as the rest of tssh sees them: wire blobs in, verify/sign out. */
import type { HostKeySigner } from '../kex/types.js';

export interface PublicKey {
  /** Key type as named in the blob: 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa', ... */
  readonly type: string;
  /** The SSH wire encoding (RFC 4253 §6.6), as found in known_hosts and KEX replies. */
  readonly blob: Buffer;
  /** RSA modulus size or curve size in bits (for messages and RequiredRSASize). */
  readonly bits: number;
  /**
   * Verifies a signature blob (string algorithm || string signature) over `data`. The algorithm named in
   * the blob must equal `algorithm` (e.g. 'rsa-sha2-512' for an 'ssh-rsa' key). Never throws on a bad
   * signature: returns false. Throws a TsshError only for a malformed blob.
   */
  verify(algorithm: string, data: Buffer, signatureBlob: Buffer): boolean;
}

export interface PrivateKey {
  readonly type: string;
  readonly publicKey: PublicKey;
  readonly comment: string;
  /** Signature algorithms this key can sign with, e.g. ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']. */
  readonly signatureAlgorithms: readonly string[];
  /** Returns a signature blob (string algorithm || string signature). */
  sign(algorithm: string, data: Buffer): Buffer;
  /**
   * Present for keys whose private half is elsewhere (a FIDO authenticator behind ssh-sk-helper):
   * signing is then asynchronous, and `sign` throws.
   */
  signAsync?(algorithm: string, data: Buffer): Promise<Buffer>;
}

/** A private key loaded from a file or made in memory: it signs, and can be handed to an agent. */
export interface SshPrivateKey extends PrivateKey, HostKeySigner {
  /** The key in the wire form an ssh-agent accepts (ADD_IDENTITY), for AddKeysToAgent. */
  agentFields(): Buffer;
}
