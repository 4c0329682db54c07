import { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';

/** A signature blob (RFC 4253 §6.6): string algorithm || string signature. */
export interface SignatureBlob {
  algorithm: string;
  signature: Buffer;
}

export function parseSignatureBlob(blob: Buffer): SignatureBlob {
  const r = new SshReader(blob, 'signature');
  const algorithm = r.string().toString('latin1');
  const signature = r.string();
  r.end();
  return { algorithm, signature };
}

/**
 * The algorithm a signature blob names, without parsing the rest: security-key signatures carry flags
 * and a counter (and webauthn data) after the signature string.
 */
export function signatureBlobAlgorithm(blob: Buffer): string {
  return new SshReader(blob, 'signature').string().toString('latin1');
}

export function encodeSignatureBlob(algorithm: string, signature: Uint8Array): Buffer {
  return Buffer.from(new SshWriter(signature.length + algorithm.length + 8).string(algorithm).string(signature).finish());
}

/**
 * ECDSA signatures travel as mpint r || mpint s (RFC 5656 §3.1.2); node wants IEEE-P1363 (fixed-width
 * r || s). Returns undefined when the encoding cannot be a valid signature for this curve size.
 */
export function ecdsaSshToP1363(sig: Buffer, fieldBytes: number): Buffer | undefined {
  let r: bigint;
  let s: bigint;
  try {
    const reader = new SshReader(sig, 'ecdsa signature');
    r = reader.mpint();
    s = reader.mpint();
    reader.end();
  } catch {
    return undefined;
  }
  if (r === 0n || s === 0n) return undefined;
  const out = Buffer.alloc(2 * fieldBytes);
  if (!writeFixed(r, out, 0, fieldBytes) || !writeFixed(s, out, fieldBytes, fieldBytes)) return undefined;
  return out;
}

export function ecdsaP1363ToSsh(p1363: Buffer): Buffer {
  const half = p1363.length / 2;
  return new SshWriter(p1363.length + 16)
    .mpintFromUnsigned(p1363.subarray(0, half))
    .mpintFromUnsigned(p1363.subarray(half))
    .finish();
}

/** Writes v big-endian into out[offset, offset+width); false when it does not fit. */
function writeFixed(v: bigint, out: Buffer, offset: number, width: number): boolean {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length > width) return false;
  bytes.copy(out, offset + width - bytes.length);
  return true;
}
