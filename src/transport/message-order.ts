/**
 * Which messages the peer may send when, and what happens to one that comes at the wrong time, as
 * OpenSSH's client decides it with its dispatch tables (kex.c, sshconnect2.c, clientloop.c; measured
 * against ssh 9.2 and 10.3 with a scripted server). A misplaced message is ignored or fatal exactly as
 * ssh treats it; nothing is ever handed to a layer that is not expecting it:
 *
 * - during a key exchange, and after the first re-exchange of the connection, a transport message
 *   (1-49) that is not part of the exchange gets ssh's kex_protocol_error: logged, answered
 *   UNIMPLEMENTED, ignored (under strict KEX, in the first exchange, it ends the connection);
 * - a message of 50 or more during the first key exchange has no handler: DISCONNECT
 *   "protocol error: rcvd type N";
 * - from the first NEWKEYS to USERAUTH_SUCCESS only SERVICE_ACCEPT, then the userauth replies, are
 *   accepted; anything else (a KEXINIT too) is ssh's fatal input_userauth_error;
 * - after USERAUTH_SUCCESS, a transport or userauth message is ssh's dispatch_protocol_error;
 * - EXT_INFO (RFC 8308 §2.4) is taken once, after the first NEWKEYS and before SERVICE_ACCEPT, and once
 *   more during authentication if the server offered ext-info-s (OpenSSH 10's ext-info-in-auth); at any
 *   other time it is one of the misplaced messages above, and its contents are not used.
 */
import { MSG } from '../wire/messages.js';

export type Verdict =
  /** Part of a key exchange (the running one, or a KEXINIT that starts one). */
  | 'kex'
  /** An EXT_INFO to take. */
  | 'ext-info'
  /** For the layer above (authentication, then the connection protocol). */
  | 'deliver'
  /** Harmless and ignored without a word (a repeated SERVICE_ACCEPT). */
  | 'ignore'
  /** ssh: kex_protocol_error (logged, UNIMPLEMENTED, ignored). */
  | 'kex-protocol-error'
  /** ssh: dispatch_protocol_error (logged, UNIMPLEMENTED, ignored). */
  | 'dispatch-protocol-error'
  /** ssh: input_userauth_error, fatal. */
  | 'userauth-error'
  /** ssh: no handler at all, fatal (DISCONNECT "protocol error: rcvd type N"). */
  | 'no-handler';

type Phase = 'first-kex' | 'service' | 'auth' | 'connected';

const USERAUTH_REPLIES: ReadonlySet<number> = new Set([MSG.USERAUTH_FAILURE, MSG.USERAUTH_SUCCESS, MSG.USERAUTH_BANNER, MSG.USERAUTH_60]);

/**
 * Where the next EXT_INFO stands: taken ('armed'), one was already taken here (ssh has set its handler
 * to kex_protocol_error), or refused outright (during authentication without ext-info-s).
 */
type ExtInfoSlot = 'armed' | 'used' | 'refused';

/** The client's view (OpenSSH's client rules, see above). */
export class ClientMessageOrder {
  private phase: Phase = 'first-kex';
  private extInfo: ExtInfoSlot = 'used';
  private rekeyed = false;
  private extInfoInAuth = false;

  /**
   * The verdict for a message of `type` arriving now (DISCONNECT, IGNORE, DEBUG and UNIMPLEMENTED are
   * the transport's own and never asked about). `kexRunning`: a key exchange is in progress.
   */
  classify(type: number, kexRunning: boolean): Verdict {
    if (type >= 20 && type <= 49 && kexRunning) return 'kex';
    if (type === MSG.KEXINIT) return this.phase === 'connected' ? 'kex' : 'userauth-error';
    if (type < 50) {
      if (kexRunning || this.phase === 'first-kex' || this.rekeyed) return 'kex-protocol-error';
      if (this.phase === 'connected') return 'dispatch-protocol-error';
      if (type === MSG.EXT_INFO) return this.takeExtInfo();
      if (type !== MSG.SERVICE_ACCEPT) return 'userauth-error';
      if (this.phase === 'auth') return 'ignore';
      this.phase = 'auth';
      this.extInfo = this.extInfoInAuth ? 'armed' : 'refused';
      return 'deliver';
    }
    switch (this.phase) {
      case 'first-kex':
        return 'no-handler';
      case 'service':
        return 'userauth-error';
      case 'auth':
        if (!USERAUTH_REPLIES.has(type)) return 'userauth-error';
        if (type === MSG.USERAUTH_SUCCESS) this.phase = 'connected';
        return 'deliver';
      case 'connected':
        return type < 80 ? 'dispatch-protocol-error' : 'deliver';
    }
  }

  private takeExtInfo(): Verdict {
    const slot = this.extInfo;
    if (slot === 'refused') return 'userauth-error';
    if (slot === 'used') return 'kex-protocol-error';
    this.extInfo = 'used';
    return 'ext-info';
  }

  /** The first NEWKEYS arrived; `serverOffersExtInfo`: the server's KEXINIT named ext-info-s. */
  firstNewKeys(serverOffersExtInfo: boolean): void {
    this.phase = 'service';
    this.extInfo = 'armed';
    this.extInfoInAuth = serverOffersExtInfo;
  }

  /** A key re-exchange started (ssh then treats stray transport messages as kex errors for good). */
  rekeyStarted(): void {
    this.rekeyed = true;
  }

  get authenticated(): boolean {
    return this.phase === 'connected';
  }
}

/**
 * A transport with no authentication phase to hold the peer to: tssh's server role (test peers) and a
 * bare client transport. EXT_INFO once after the first NEWKEYS, the key-exchange rules above, and every
 * other message for the layer above once keys are in use.
 */
export class BareMessageOrder {
  private keyed = false;
  private extInfoArmed = false;

  classify(type: number, kexRunning: boolean): Verdict {
    if (type >= 20 && type <= 49) return kexRunning || type === MSG.KEXINIT ? 'kex' : 'dispatch-protocol-error';
    if (type === MSG.EXT_INFO) {
      if (!this.extInfoArmed || kexRunning) return kexRunning ? 'kex-protocol-error' : 'dispatch-protocol-error';
      this.extInfoArmed = false;
      return 'ext-info';
    }
    if (!this.keyed) return type < 50 ? 'kex-protocol-error' : 'no-handler';
    return 'deliver';
  }

  firstNewKeys(): void {
    this.keyed = true;
    this.extInfoArmed = true;
  }

  rekeyStarted(): void {}

  /** Nothing here says when authentication ends, so rekeying is never held back for it. */
  get authenticated(): boolean {
    return true;
  }
}

export type MessageOrder = ClientMessageOrder | BareMessageOrder;
