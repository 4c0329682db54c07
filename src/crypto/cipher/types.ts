/**
 * The packet codec's view of one direction's protection (cipher + MAC, or an AEAD cipher).
 * Implementations are stateful (CTR counters, GCM invocation counters) and used strictly in order.
 *
 * Packet layout handed to `seal`: uint32 packet_length || byte padding_length || payload || padding.
 * The codec computes the padding from `blockSize` and `aadLength` (RFC 4253 §6; for ETM MACs and the
 * AEAD ciphers the 4 length bytes are not encrypted, so they are excluded from the block alignment).
 */
export interface PacketSealer {
  /** Padding granularity: the cipher's block size, at least 8. */
  readonly blockSize: number;
  /** 4 when packet_length is sent unencrypted (AES-GCM, ETM MACs) or separately (chacha20-poly1305), else 0. */
  readonly aadLength: 0 | 4;
  /** Bytes appended after the ciphertext (MAC or AEAD tag). */
  readonly macLength: number;
  /** Encrypts and authenticates one whole packet; returns exactly packet.length + macLength bytes. */
  seal(seq: number, packet: Buffer): Buffer;
  /**
   * The same bytes as `seal`, as the pieces node:crypto produced them (e.g. length, ciphertext, tag), for
   * one gathered socket write without joining them: a copy of every packet saved on bulk transfers. The
   * pieces never alias `packet`, so the caller may reuse it at once.
   */
  sealParts(seq: number, packet: Buffer): Buffer[];
}

/** A sealer from its sizes and `sealParts`; `seal` joins the parts. */
export function sealerFromParts(sizes: Pick<PacketSealer, 'blockSize' | 'aadLength' | 'macLength'>, sealParts: PacketSealer['sealParts']): PacketSealer {
  return { ...sizes, sealParts, seal: (seq, packet) => Buffer.concat(sealParts(seq, packet), packet.length + sizes.macLength) };
}

export interface PacketOpener {
  readonly blockSize: number;
  /** An AEAD cipher (AES-GCM, chacha20-poly1305): its tag failing is reported without "Corrupted MAC on input.". */
  readonly aead?: boolean;
  readonly aadLength: 0 | 4;
  readonly macLength: number;
  /**
   * CBC with the MAC over the plaintext: a bad length, padding or MAC must not end the connection at
   * once, or when it ends tells an attacker what a forged first block decrypted to (Albrecht, Paterson
   * and Watson 2009). The codec then reads on, as OpenSSH does, before failing.
   */
  readonly discardOnError?: boolean;
  /** How many leading bytes of a packet `decryptLength` needs (4, or one cipher block). */
  readonly lengthPrefixSize: number;
  /**
   * Returns packet_length from the first `lengthPrefixSize` bytes of the packet (no authentication yet:
   * the codec bounds-checks the value before waiting for the rest). May keep state for `open`.
   */
  decryptLength(seq: number, head: Buffer): number;
  /**
   * Authenticates and decrypts one whole packet: `data` is 4 + packet_length + macLength bytes as received.
   * Returns the plaintext from padding_length onwards (packet_length bytes). Throws a TsshError with code
   * 'MAC' ("Corrupted MAC on input.") when authentication fails; the comparison is constant-time.
   */
  open(seq: number, data: Buffer): Buffer;
}

/** Keys for one direction, derived by the transport (RFC 4253 §7.2). Lengths match the algorithms. */
export interface DirectionKeys {
  iv: Buffer;
  key: Buffer;
  macKey: Buffer;
}

export interface CipherInfo {
  readonly name: string;
  readonly keyLength: number;
  readonly ivLength: number;
  readonly blockSize: number;
  /** True for ciphers with built-in integrity; the negotiated MAC is then ignored (and reported as implicit). */
  readonly aead: boolean;
}

export interface MacInfo {
  readonly name: string;
  readonly keyLength: number;
  readonly macLength: number;
  /** Encrypt-then-MAC (`-etm@openssh.com`): MAC over the ciphertext, length sent in the clear. */
  readonly etm: boolean;
}
