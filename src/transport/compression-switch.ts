import { createCompressor, createDecompressor, isCompression } from './compression.js';
import { MAX_PACKET_LENGTH, type PacketDecoder, type PacketEncoder } from './packet-codec.js';

type Direction = 'outgoing' | 'incoming';

/**
 * When each direction's compression is on. Streams restart at every NEWKEYS, as in OpenSSH;
 * zlib@openssh.com waits for USERAUTH_SUCCESS, plain zlib starts at once.
 */
export class CompressionSwitch {
  private authenticated = false;
  private readonly delayed: Record<Direction, boolean> = { outgoing: false, incoming: false };

  constructor(
    private readonly encoder: PacketEncoder,
    private readonly decoder: PacketDecoder,
  ) {}

  /** NEWKEYS for `direction` with the negotiated compression `name`. */
  newKeys(direction: Direction, name: string): void {
    const wanted = isCompression(name);
    const delayed = wanted && name === 'zlib@openssh.com' && !this.authenticated;
    this.delayed[direction] = delayed;
    this.set(direction, wanted && !delayed);
  }

  /** USERAUTH_SUCCESS passed (sent by a server, received by a client): delayed compression starts now. */
  onAuthenticated(): void {
    this.authenticated = true;
    for (const direction of ['outgoing', 'incoming'] as const) {
      if (!this.delayed[direction]) continue;
      this.delayed[direction] = false;
      this.set(direction, true);
    }
  }

  private set(direction: Direction, on: boolean): void {
    if (direction === 'outgoing') this.encoder.setCompressor(on ? createCompressor() : undefined);
    else this.decoder.setDecompressor(on ? createDecompressor(MAX_PACKET_LENGTH) : undefined);
  }
}
