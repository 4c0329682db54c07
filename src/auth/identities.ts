import type { Logger } from '../log.js';
import type { PrivateKey } from '../crypto/keys/types.js';
import { keyAllowedByConfig, keyTypeLabel, sameKey, type OfferedKey } from './keys.js';
import { fingerprintSha256 } from '../crypto/keys/index.js';

/** Signs with a key the agent holds (AgentClient implements it). */
export interface AgentSigner {
  sign(keyBlob: Buffer, data: Buffer, algorithm: string, signatureAlgorithm: string): Promise<Buffer>;
}

/** A key from a file: an IdentityFile (or its `-cert.pub`) or a CertificateFile. */
export interface FileIdentity {
  /** The private key's path (for a CertificateFile, the certificate's path). */
  path: string;
  /** The public key or certificate, when readable without the private key. */
  key?: OfferedKey;
  /** Named with -i or in the user's config (OpenSSH logs these as "explicit"). */
  userProvided: boolean;
  /**
   * Loads the private key, asking for a passphrase if needed; undefined when it cannot be used (the
   * reason was already reported). Absent for certificates, which sign through their private key.
   */
  loadPrivate?: () => Promise<PrivateKey | undefined>;
}

/** One candidate for publickey authentication, in the order OpenSSH tries them. */
export interface Identity {
  /** File name, or the agent's comment for agent-only keys: what logs name it by. */
  readonly label: string;
  /** The public key or certificate when known without the private key. */
  readonly key: OfferedKey | undefined;
  readonly userProvided: boolean;
  /** Present when the agent holds this key: signing goes there, never to a file. */
  readonly agent?: AgentSigner;
  readonly loadPrivate?: () => Promise<PrivateKey | undefined>;
}

export interface IdentitySources {
  /** IdentityFile entries (each followed by its `-cert.pub` certificate when one exists). */
  files: readonly FileIdentity[];
  /** CertificateFile certificates. */
  certificates: readonly FileIdentity[];
  /** Keys the agent listed, or undefined without an agent. */
  agentKeys?: ReadonlyArray<{ key: OfferedKey; comment: string }>;
  agent?: AgentSigner;
  identitiesOnly: boolean;
  /** PubkeyAcceptedAlgorithms. */
  acceptedAlgorithms: readonly string[];
  log: Logger;
}

/**
 * The order OpenSSH (pubkey_prepare) tries keys in: CertificateFile certificates; then agent keys that
 * match an identity file, in the agent's order; then the agent's other keys (unless IdentitiesOnly);
 * then the identity files the agent does not hold. Keys PubkeyAcceptedAlgorithms rules out are dropped.
 */
export function orderIdentities(sources: IdentitySources): Identity[] {
  const { log } = sources;
  const files: Identity[] = [];
  for (const file of sources.files) {
    if (file.key?.certificateKind === 'host') {
      log.debug1(`pubkey_prepare: ignoring certificate ${file.path}: not a user certificate`);
      continue;
    }
    files.push(fromFile(file));
  }
  const preferred: Identity[] = [];
  for (const cert of sources.certificates) {
    if (cert.key?.certificateKind !== 'user') {
      log.debug1(`pubkey_prepare: ignoring certificate ${cert.path}: not a user certificate`);
      continue;
    }
    preferred.push(fromFile(cert));
  }
  const agentOnly: Identity[] = [];
  for (const { key, comment } of sources.agentKeys ?? []) {
    const index = files.findIndex((id) => id.key !== undefined && sameKey(id.key, key));
    if (index >= 0) {
      const [file] = files.splice(index, 1);
      preferred.push({ ...file!, agent: sources.agent! });
    } else if (!sources.identitiesOnly) {
      agentOnly.push({ label: comment, key, userProvided: false, agent: sources.agent! });
    }
  }
  const ordered = [...preferred, ...agentOnly, ...files].filter((id) => {
    if (id.key === undefined || keyAllowedByConfig(id.key, sources.acceptedAlgorithms)) return true;
    log.debug1(`Skipping ${id.key.type} key ${id.label} - corresponding algo not in PubkeyAcceptedAlgorithms`);
    return false;
  });
  for (const id of ordered) log.debug1(`Will attempt key: ${describeIdentity(id)}`);
  return ordered;
}

function fromFile(file: FileIdentity): Identity {
  return {
    label: file.path,
    key: file.key,
    userProvided: file.userProvided,
    ...(file.loadPrivate ? { loadPrivate: file.loadPrivate } : {}),
  };
}

/**
 * An identity as ssh -v names it (format_identity): `path ED25519 SHA256:... explicit agent`, with
 * `authenticator` for security keys; the fingerprint in FingerprintHash's digest when `fingerprint` is given.
 */
export function describeIdentity(id: Identity, fingerprint: (plainBlob: Buffer) => string = fingerprintSha256): string {
  const key = id.key ? `${keyTypeLabel(id.key.type)} ${fingerprint(id.key.plainBlob)}` : '';
  const note = id.key !== undefined && isSecurityKeyType(id.key.type) ? ' authenticator' : '';
  return `${id.label} ${key}${id.userProvided ? ' explicit' : ''}${note}${id.agent ? ' agent' : ''}`;
}

/** sshkey_is_sk: a security-key type or its certificate. */
function isSecurityKeyType(type: string): boolean {
  return type.startsWith('sk-') || type.startsWith('webauthn-sk-');
}

/**
 * OpenSSH's id_filename_matches: a certificate file `k-cert.pub` or `k.pub` belongs to the private key
 * file `k` (so a certificate can be used with a private key whose public half could not be read).
 */
export function filenameMatches(certificatePath: string, privatePath: string): boolean {
  if (certificatePath === privatePath) return true;
  return ['.pub', '-cert.pub'].some((suffix) => certificatePath === privatePath + suffix);
}
