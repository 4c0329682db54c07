import { createHash } from 'node:crypto';
import { DisconnectReason, TsshError } from '../../errors.js';
import { SshWriter } from '../../wire/writer.js';
import type { HashName, KexHashPrefix } from './types.js';

/**
 * H = HASH(V_C || V_S || I_C || I_S || K_S || method fields || K) (RFC 4253 §8, RFC 5656 §4,
 * RFC 4419 §3). `sharedSecret` is K already encoded (mpint or string, length prefix included).
 */
export function exchangeHash(
  hash: HashName,
  prefix: KexHashPrefix,
  hostKey: Buffer,
  writeMethodFields: (w: SshWriter) => void,
  sharedSecret: Buffer,
): Buffer {
  const w = new SshWriter(2048)
    .string(prefix.clientVersion)
    .string(prefix.serverVersion)
    .string(prefix.clientKexinit)
    .string(prefix.serverKexinit)
    .string(hostKey);
  writeMethodFields(w);
  w.raw(sharedSecret);
  return createHash(hash).update(w.finish()).digest();
}

/** A key-exchange failure caused by the peer's values (bad point, out-of-range DH value, ...). */
export function kexError(message: string, cause?: unknown): TsshError {
  return new TsshError('KEX', message, {
    disconnectReason: DisconnectReason.KEY_EXCHANGE_FAILED,
    ...(cause === undefined ? {} : { cause }),
  });
}
