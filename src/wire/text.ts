/**
 * Strings from the network, losslessly. SSH strings are bytes, usually UTF-8; OpenSSH logs and shows
 * them byte for byte (escaping what is not printable), so tssh must not lose the bytes that are not
 * valid UTF-8 when it turns them into JavaScript strings. Each such byte becomes the lone surrogate
 * U+DC80..U+DCFF (Python's "surrogateescape"), which `encodeText` turns back into the same byte.
 */

const ESCAPED_BYTE = 0xdc00;
const LONE_SURROGATE = /[\uD800-\uDFFF]/;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text: valid UTF-8 as characters, every other byte as U+DC00 + byte. */
export function decodeText(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return decodeMixed(bytes);
  }
}

/** The length of the valid UTF-8 sequence at `i` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  let length: number;
  let min = 0x80;
  let max = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 === 0xe0) min = 0xa0;
    if (b0 === 0xed) max = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 === 0xf0) min = 0x90;
    if (b0 === 0xf4) max = 0x8f;
  } else return 0;
  if (i + length > bytes.length) return 0;
  const b1 = bytes[i + 1]!;
  if (b1 < min || b1 > max) return 0;
  for (let k = 2; k < length; k++) {
    const b = bytes[i + k]!;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return length;
}

function decodeMixed(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(ESCAPED_BYTE + b);
      i++;
      continue;
    }
    out += Buffer.from(bytes.buffer, bytes.byteOffset + i, length).toString('utf8');
    i += length;
  }
  return out;
}

/** Text as bytes: UTF-8, with the escaped bytes of `decodeText` restored (so decode then encode is the identity). */
export function encodeText(text: string): Buffer {
  if (!LONE_SURROGATE.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let run = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        run += text[i]! + text[i + 1]!;
        i++;
        continue;
      }
    }
    if (unit >= ESCAPED_BYTE + 0x80 && unit <= ESCAPED_BYTE + 0xff) {
      parts.push(Buffer.from(run, 'utf8'), Buffer.from([unit - ESCAPED_BYTE]));
      run = '';
      continue;
    }
    run += text[i]!; // any other lone surrogate: U+FFFD, as Buffer.from does
  }
  parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/**
 * A peer's string as C's "%.<max>s" prints it: up to the first NUL and at most `max` bytes. OpenSSH
 * cuts remote strings this way in many messages (DISCONNECT "%.400s", DEBUG "%.900s", ...).
 */
export function cText(value: Uint8Array | string, max = Infinity): string {
  const bytes = typeof value === 'string' ? encodeText(value) : value;
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return decodeText(bytes.subarray(0, Math.min(end, max)));
}
