/**
 * Fuzz target for every key-exchange reply a client parses: the first input byte picks the method,
 * the rest are the server's messages (uint32 length + payload each), fed to a fresh client after its
 * first message. Seeds are genuine server replies.
 */
import { createKexClient, createKexServer, type KexHashPrefix } from '../../../src/crypto/kex/index.js';
import { generateHostKeySigner } from '../../../src/crypto/keys/index.js';
import { KEX_NAMES } from '../../../src/crypto/names.js';
import { SshReader } from '../../../src/wire/reader.js';
import { SshWriter } from '../../../src/wire/writer.js';
import type { FuzzTarget } from '../engine.js';

const PREFIX: KexHashPrefix = {
  clientVersion: 'SSH-2.0-client',
  serverVersion: 'SSH-2.0-server',
  clientKexinit: Buffer.from([20, 1, 2, 3]),
  serverKexinit: Buffer.from([20, 4, 5, 6]),
};
/** The big finite-field groups cost tens of milliseconds per input; the fuzzer gives them fewer. */
const METHODS = KEX_NAMES.filter((name) => !/group1[68]/.test(name));

function frame(messages: Buffer[]): Buffer {
  const w = new SshWriter();
  for (const m of messages) w.string(m);
  return w.finish();
}

export const kexReplies: FuzzTarget = {
  name: 'key exchange replies (every method)',
  cost: 500,
  framed: { prefix: 1 },
  seeds() {
    const hostKey = generateHostKeySigner('ssh-ed25519');
    return METHODS.map((name, index) => {
      const client = createKexClient(name, PREFIX, { gexPreferredBits: 2048 });
      const server = createKexServer(name, PREFIX, hostKey, 'ssh-ed25519');
      const replies: Buffer[] = [];
      let toServer = client.start().send;
      for (let round = 0; round < 3 && toServer.length > 0; round++) {
        const toClient = toServer.flatMap((m) => server.handle(m).send);
        replies.push(...toClient);
        toServer = toClient.flatMap((m) => client.handle(m).send);
      }
      return Buffer.concat([Buffer.from([index]), frame(replies)]);
    });
  },
  run(input: Buffer) {
    if (input.length === 0) return;
    const name = METHODS[input[0]! % METHODS.length]!;
    const client = createKexClient(name, PREFIX, { gexPreferredBits: 2048 });
    client.start();
    const r = new SshReader(input.subarray(1), 'fuzz frames');
    while (r.remaining >= 4) {
      const step = client.handle(Buffer.from(r.string()));
      if (step.result) return step.result;
    }
    return undefined;
  },
};
