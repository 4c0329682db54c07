/**
 * Hints for "Unable to negotiate": both offers, and the one option that would connect, with its risk.
 * Only a name tssh implements is ever suggested.
 */
import type { NegotiationError, NegotiationKind } from '../../errors.js';
import { SUPPORTED_CIPHER_NAMES, SUPPORTED_KEX_NAMES, SUPPORTED_MAC_NAMES, COMPRESSION_NAMES } from '../../crypto/names.js';
import { KEY_SIGNATURE_ALGORITHMS } from '../../config/algorithms.js';

const WHAT: Record<NegotiationKind, string> = { kex: 'key exchange', hostKey: 'host key algorithms', cipher: 'ciphers', mac: 'MACs', compression: 'compression' };

const IMPLEMENTED: Record<NegotiationKind, readonly string[]> = {
  kex: SUPPORTED_KEX_NAMES,
  hostKey: KEY_SIGNATURE_ALGORITHMS,
  cipher: SUPPORTED_CIPHER_NAMES,
  mac: SUPPORTED_MAC_NAMES,
  compression: COMPRESSION_NAMES,
};

/** KEXINIT markers (ext-info, strict KEX) are not algorithms: they never help to show or suggest. */
const PSEUDO = /^(ext-info-[cs]|kex-strict-[cs]-v00@openssh\.com)$/;

/** Why OpenSSH keeps a name off by default, in a few words; undefined for a name that is merely unusual. */
export function algorithmRisk(name: string): string | undefined {
  const risks: string[] = [];
  if (name.includes('group1-')) risks.push('a 1024-bit Diffie-Hellman group');
  if (name === 'ssh-rsa' || name.startsWith('ssh-rsa-cert') || /sha1/.test(name)) risks.push('SHA-1, open to collision attacks');
  if (name.startsWith('ssh-dss')) risks.push('DSA, 1024-bit keys with SHA-1');
  if (name.includes('3des')) risks.push('3DES, a 64-bit block cipher');
  if (name.endsWith('-cbc')) risks.push('CBC mode, open to plaintext-recovery attacks');
  if (name.includes('md5')) risks.push('MD5, broken');
  if (name.includes('-96')) risks.push('a MAC truncated to 96 bits');
  return risks.length > 0 ? risks.join('; ') : undefined;
}

/** The command-line option that adds `name` to the client's list (or, for compression, switches it). */
function optionFor(kind: NegotiationKind, name: string): { flag: string; config: string } {
  switch (kind) {
    case 'kex':
      return { flag: `-oKexAlgorithms=+${name}`, config: `KexAlgorithms +${name}` };
    case 'hostKey':
      return { flag: `-oHostKeyAlgorithms=+${name}`, config: `HostKeyAlgorithms +${name}` };
    case 'cipher':
      return { flag: `-c ${name}`, config: `Ciphers +${name}` };
    case 'mac':
      return { flag: `-m ${name}`, config: `MACs +${name}` };
    case 'compression':
      return name === 'none' ? { flag: '-oCompression=no', config: 'Compression no' } : { flag: '-C', config: 'Compression yes' };
  }
}

export function negotiationHints(err: NegotiationError): string[] {
  const ours = err.ours.filter((n) => !PSEUDO.test(n));
  const theirs = err.theirs.filter((n) => !PSEUDO.test(n));
  const lines = [`${WHAT[err.kind]}: the server offers ${theirs.join(',') || '(nothing)'}`, `${WHAT[err.kind]}: tssh proposed ${ours.join(',')}`];
  const usable = theirs.filter((n) => IMPLEMENTED[err.kind].includes(n));
  const [best] = usable;
  if (best === undefined) {
    lines.push(`tssh implements none of the server's ${WHAT[err.kind]}: no option makes this connection work; the server's configuration must change`);
    return lines;
  }
  const option = optionFor(err.kind, best);
  const risk = algorithmRisk(best);
  lines.push(`to connect anyway: ${option.flag}${risk ? ` (risk: ${risk})` : ''}`);
  lines.push(`or, for this host only, in ~/.ssh/config under its Host line: ${option.config}`);
  if (usable.length > 1) lines.push(`tssh also implements: ${usable.slice(1).join(',')}`);
  return lines;
}
