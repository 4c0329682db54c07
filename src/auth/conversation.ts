import { protocolError } from '../errors.js';
import type { Logger } from '../log.js';
import { MSG } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import type { SessionBinding } from '../agent/protocol.js';
import type { Inbox } from './inbox.js';

/** Packets carrying a password or keyboard-interactive answers are padded to this multiple, as ssh does. */
export const SECRET_PADDING = 64;

/** How a request ended: the server's USERAUTH_SUCCESS or USERAUTH_FAILURE. */
export type AuthResult = { kind: 'success' } | { kind: 'failure'; methods: string[]; partial: boolean };

/** What the methods need from the transport. */
export interface AuthTransport {
  send(payload: Buffer, padTo?: number): void;
  readonly sessionId: Buffer;
  readonly serverSigAlgs: string[] | undefined;
  /** Whether the server takes host-bound publickey requests, and the host key they name. */
  readonly hostBoundPublicKey: boolean;
  readonly sessionBinding: SessionBinding | undefined;
}

/**
 * The message exchange of user authentication: requests out, replies in order. Banners may arrive at
 * any point and are handed to `onBanner` rather than to the method waiting for its reply.
 */
export class AuthConversation {
  constructor(
    readonly transport: AuthTransport,
    private readonly inbox: Inbox,
    private readonly onBanner: (text: string) => void,
    private readonly log: Logger,
  ) {}

  /** `padTo` hides the length of a secret in the payload (see PacketEncoder.encodeParts). */
  send(payload: Buffer, padTo?: number): void {
    this.transport.send(payload, padTo);
  }

  /** The next userauth message that is not a banner. */
  async receive(): Promise<Buffer> {
    for (;;) {
      const payload = await this.inbox.next();
      if (payload[0] !== MSG.USERAUTH_BANNER) return payload;
      this.log.debug3('input_userauth_banner: entering');
      const r = new SshReader(payload, 'USERAUTH_BANNER');
      r.byte();
      const text = r.text();
      r.string(); // language tag
      r.end();
      // Shown as sent (ssh's fmprintf): the sink that writes it makes it safe for the terminal.
      if (text.length > 0) this.onBanner(text);
    }
  }
}

/** Reads SUCCESS or FAILURE; anything else at this point is a protocol violation. */
export function finalReply(payload: Buffer): AuthResult {
  const type = payload[0]!;
  if (type === MSG.USERAUTH_SUCCESS) {
    if (payload.length !== 1) throw protocolError('USERAUTH_SUCCESS: unexpected trailing bytes');
    return { kind: 'success' };
  }
  if (type === MSG.USERAUTH_FAILURE) {
    const r = new SshReader(payload, 'USERAUTH_FAILURE');
    r.byte();
    const methods = r.nameList();
    const partial = r.boolean();
    r.end();
    return { kind: 'failure', methods, partial };
  }
  throw protocolError(`input_userauth_error: bad message during authentication: type ${type}`);
}
