/** What the message-order tests share: the reference clients and a few server moves. */
import type { KexHooks, ServerWire } from '../support/hostile-server.js';
import { SERVER_PREFERENCES } from '../support/hostile/kex.js';
import type { Received } from '../support/hostile/wire.js';
import { openssh10 } from '../support/openssh10.js';
import { MSG } from '../../src/wire/messages.js';
import { message } from '../../src/wire/writer.js';

export const SSH92 = '/usr/bin/ssh';
export const SSH10 = openssh10('ssh');

export const extInfo = (sigAlgs = 'ssh-ed25519,rsa-sha2-256'): Buffer => message(MSG.EXT_INFO).uint32(1).string('server-sig-algs').string(sigAlgs).finish();

/** A server without strict KEX (before OpenSSH 9.6): what comes before NEWKEYS is then not fatal by itself. */
export const NOT_STRICT: KexHooks = { strictKex: false };
/** A server that offers ext-info-s, as OpenSSH 9.6 and later do. */
export const OFFERS_EXT_INFO_IN_AUTH: KexHooks = { preferences: { kex: [...SERVER_PREFERENCES.kex, 'ext-info-s'] } };

/** Client messages a script skips while it waits for what it needs: its answers to our faults, its EXT_INFO. */
export function tolerant(wire: ServerWire): (type?: number) => Promise<Received> {
  return async (type) => {
    for (;;) {
      const r = await wire.expect();
      const t = r.payload[0];
      if (t === MSG.UNIMPLEMENTED || t === MSG.EXT_INFO) continue;
      if (type !== undefined && t !== type) throw new Error(`hostile server expected message ${type}, got ${t}`);
      return r;
    }
  };
}
