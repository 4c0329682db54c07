import { createRequire } from 'node:module';
import type * as Pako from 'pako';
import { TsshError, DisconnectReason } from '../errors.js';

/** pako is loaded on first use (-C only): importing it costs every other start-up ~20 ms. */
function loadPako(): typeof Pako {
  const require = createRequire(import.meta.url);
  return require('pako') as typeof Pako;
}

/**
 * zlib / zlib@openssh.com payload compression (RFC 4253 §6.2): one deflate stream per direction for the
 * life of the keys, each packet ended with a partial (sync) flush so the peer can decode it at once.
 *
 * pako, not node:zlib: the packet codec is synchronous, and node:zlib offers synchronous processing only
 * as one-shot calls that close the stream, losing the dictionary that must persist across packets.
 */
export interface PayloadTransform {
  apply(payload: Buffer): Buffer;
}

function collect(stream: { onData: (chunk: Uint8Array) => void }, limit: number): { take(): Buffer } {
  let chunks: Uint8Array[] = [];
  let total = 0;
  stream.onData = (chunk) => {
    total += chunk.length;
    // Throwing from onData aborts the push: a compression bomb never grows past one packet's limit.
    if (total > limit) throw new TsshError('PROTOCOL', 'decompress: packet too large', { disconnectReason: DisconnectReason.COMPRESSION_ERROR });
    chunks.push(chunk);
  };
  return {
    take() {
      const out = chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.length) : Buffer.concat(chunks);
      chunks = [];
      total = 0;
      return out;
    },
  };
}

export function createCompressor(): PayloadTransform {
  const pako = loadPako();
  const deflate = new pako.Deflate({ level: 6 });
  const output = collect(deflate, Infinity);
  return {
    apply(payload) {
      deflate.push(payload, pako.constants.Z_SYNC_FLUSH);
      return output.take();
    },
  };
}

/** `maxOutput` bounds one packet's decompressed size. */
export function createDecompressor(maxOutput: number): PayloadTransform {
  const pako = loadPako();
  const inflate = new pako.Inflate();
  const output = collect(inflate, maxOutput);
  return {
    apply(payload) {
      inflate.push(payload, pako.constants.Z_SYNC_FLUSH);
      if (inflate.err) {
        throw new TsshError('PROTOCOL', `decompress: ${inflate.msg || 'invalid data'}`, { disconnectReason: DisconnectReason.COMPRESSION_ERROR });
      }
      return output.take();
    },
  };
}

export function isCompression(name: string): boolean {
  return name === 'zlib' || name === 'zlib@openssh.com';
}
