/**
 * Fuzz target for user authentication: tssh's UserAuth runs against a fake transport that delivers a
 * (mutated) sequence of server messages — SERVICE_ACCEPT, FAILURE lists, banners, PK_OK,
 * INFO_REQUEST, PASSWD_CHANGEREQ, SUCCESS — with publickey, keyboard-interactive and password enabled.
 * When the messages run out the connection "closes". It must end in success or a TsshError.
 */
import { TsshError } from '../../../src/errors.js';
import { UserAuth } from '../../../src/auth/userauth.js';
import type { ClientAuthOptions } from '../../../src/client.js';
import { describeKey } from '../../../src/auth/keys.js';
import { generateHostKeySigner } from '../../../src/crypto/keys/index.js';
import type { Transport } from '../../../src/transport/transport.js';
import { silentLogger } from '../../../src/log.js';
import { MSG } from '../../../src/wire/messages.js';
import { message, SshWriter } from '../../../src/wire/writer.js';
import { SshReader } from '../../../src/wire/reader.js';
import type { FuzzTarget } from '../engine.js';

export const userKey = generateHostKeySigner('ssh-ed25519');
/** Every method enabled, one key, prompts always answered: as much of the state machine as can run. */
export const FUZZ_AUTH: ClientAuthOptions = {
  files: [{ path: 'fuzz_key', key: describeKey(userKey.publicBlob), userProvided: true, loadPrivate: async () => userKey }],
  certificates: [],
  identitiesOnly: true,
  acceptedAlgorithms: ['ssh-ed25519'],
  policy: { publicKey: true, password: true, keyboardInteractive: true, batchMode: false, numberOfPasswordPrompts: 2 },
  prompter: { ask: async () => 'secret' },
  onBanner: () => undefined,
};
const SETTLE_TURNS = 200;

const failure = (methods: string, partial = false): Buffer => message(MSG.USERAUTH_FAILURE).nameList(methods.split(',')).boolean(partial).finish();
const SUCCESS = message(MSG.USERAUTH_SUCCESS).finish();
const ACCEPT = message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish();
const banner = (text: string): Buffer => message(MSG.USERAUTH_BANNER).string(text).string('').finish();
const pkOk = (): Buffer => message(MSG.USERAUTH_60).string('ssh-ed25519').string(userKey.publicBlob).finish();
function infoRequest(prompts: Array<[string, boolean]>): Buffer {
  const w = message(MSG.USERAUTH_60).string('name').string('instruction').string('');
  w.uint32(prompts.length);
  for (const [prompt, echo] of prompts) w.string(prompt).boolean(echo);
  return w.finish();
}
const changeRequest = (): Buffer => message(MSG.USERAUTH_60).string('Password expired').string('').finish();

function frames(messages: Buffer[]): Buffer {
  const w = new SshWriter();
  for (const m of messages) w.string(m);
  return w.finish();
}

/** Just what UserAuth uses of a Transport: messages go to its handler; `closed` ends the run. */
function fakeTransport(): { transport: Transport; deliver(payload: Buffer): void; close(): void } {
  let handler: ((payload: Buffer) => unknown) | undefined;
  let closeWith!: (err: TsshError) => void;
  const closed = new Promise<TsshError>((resolve) => (closeWith = resolve));
  const fake = {
    setHandler: (h: (payload: Buffer) => unknown) => (handler = h),
    send: () => undefined,
    closed,
    sessionId: Buffer.alloc(32, 1),
    serverSigAlgs: undefined,
    extensions: new Map(),
  };
  return {
    transport: fake as unknown as Transport,
    deliver: (payload) => handler?.(payload),
    close: () => closeWith(new TsshError('CONNECTION_CLOSED', 'Connection closed by fuzz port 22')),
  };
}

export const userauth: FuzzTarget = {
  name: 'user authentication replies',
  cost: 7,
  framed: { prefix: 0 },
  seeds: () => [
    frames([ACCEPT, failure('publickey,keyboard-interactive,password'), pkOk(), SUCCESS]),
    frames([ACCEPT, banner('Welcome\r\n'), failure('keyboard-interactive'), infoRequest([['Password: ', false], ['Code: ', true]]), infoRequest([]), SUCCESS]),
    frames([ACCEPT, failure('password'), changeRequest(), failure('password'), SUCCESS]),
    frames([ACCEPT, failure('publickey'), pkOk(), failure('password', true), failure('password'), SUCCESS]),
  ],
  async run(input: Buffer) {
    const { transport, deliver, close } = fakeTransport();
    const auth = new UserAuth(transport, { ...FUZZ_AUTH, user: 'fuzz', host: 'fuzz', log: silentLogger });
    const running = auth.run();
    const r = new SshReader(input, 'fuzz frames');
    try {
      while (r.remaining >= 4) deliver(Buffer.from(r.string()));
    } catch (err) {
      close();
      await running.catch(() => undefined);
      throw err;
    }
    close();
    // After the close nothing waits on I/O or timers: the run must settle within a bounded number of
    // event-loop turns (a count, so a busy machine cannot turn a pass into a failure).
    let settled = false;
    running.then(() => (settled = true), () => (settled = true));
    for (let turn = 0; turn < SETTLE_TURNS && !settled; turn++) await new Promise((resolve) => setImmediate(resolve));
    if (!settled) throw new Error(`user authentication did not end within ${SETTLE_TURNS} turns after the connection closed`);
    await running;
  },
};
