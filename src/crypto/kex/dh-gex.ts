import { protocolError } from '../../errors.js';
import { KEX_MSG, msgName } from '../../wire/messages.js';
import { SshReader } from '../../wire/reader.js';
import { message, type SshWriter } from '../../wire/writer.js';
import { bitsSet, dhEphemeral, dhGroup, MODP_BITS, MODP_GROUPS, modpGroup, readDhValue, type DhGroup, type ModpBits } from './dh.js';
import { exchangeHash, kexError } from './exchange-hash.js';
import type { HashName, HostKeySigner, KexClient, KexHashPrefix, KexLogLine, KexServer, KexStep } from './types.js';

/** The group-exchange methods (RFC 4419) by name, with their hash; the SHA-1 one is legacy, off by default. */
export const GEX_METHODS: Readonly<Record<string, HashName>> = {
  'diffie-hellman-group-exchange-sha256': 'sha256',
  'diffie-hellman-group-exchange-sha1': 'sha1',
};

function gexMethodHash(name: string): HashName {
  const hash = GEX_METHODS[name];
  if (hash === undefined) throw protocolError(`${name} is not a group-exchange method`);
  return hash;
}

/** OpenSSH's bounds on group sizes (DH_GRP_MIN, DH_GRP_MAX) and a default preferred size. */
export const GEX_MIN_BITS = 2048;
export const GEX_MAX_BITS = 8192;
export const GEX_DEFAULT_BITS = 3072;

/**
 * OpenSSH's dh_estimate(): the group size it requests for the strongest negotiated cipher or MAC key
 * (in bytes). Modern suites need 32 or 64 bytes, so OpenSSH asks for 8192 (2048<8192<8192 in -v logs).
 */
export function gexPreferredBits(neededKeyBytes: number): number {
  const bits = neededKeyBytes * 8;
  if (bits <= 112) return 2048;
  if (bits <= 128) return 3072;
  if (bits <= 192) return 7680;
  return 8192;
}

interface GexSizes {
  min: number;
  preferred: number;
  max: number;
}

/** H for group exchange (RFC 4419 §3): ... K_S, min, n, max, p, g, e, f, K. */
function gexHash(
  hash: HashName,
  prefix: KexHashPrefix,
  hostKey: Buffer,
  sizes: GexSizes,
  group: DhGroup,
  e: Buffer,
  f: Buffer,
  sharedSecret: Buffer,
): Buffer {
  const fields = (w: SshWriter): void => {
    w.uint32(sizes.min).uint32(sizes.preferred).uint32(sizes.max);
    w.mpintFromUnsigned(group.p).mpintFromUnsigned(group.g).string(e).string(f);
  };
  return exchangeHash(hash, prefix, hostKey, fields, sharedSecret);
}

function unexpected(name: string, type: number): Error {
  return protocolError(`${name}: unexpected ${msgName(type)} (type ${type}) during key exchange`);
}

/** Group exchange, client role: REQUEST(34) → GROUP(31) → INIT(32) → REPLY(33). */
export class GexClient implements KexClient {
  readonly hash: HashName;
  private readonly sizes: GexSizes;
  private state: 'idle' | 'group' | 'reply' | 'done' = 'idle';
  private group: DhGroup | undefined;
  private ephemeral: ReturnType<typeof dhEphemeral> | undefined;

  constructor(readonly name: string, private readonly prefix: KexHashPrefix, preferredBits = GEX_DEFAULT_BITS) {
    this.hash = gexMethodHash(name);
    const preferred = Math.min(GEX_MAX_BITS, Math.max(GEX_MIN_BITS, Math.floor(preferredBits)));
    this.sizes = { min: GEX_MIN_BITS, preferred, max: GEX_MAX_BITS };
  }

  start(): KexStep {
    if (this.state !== 'idle') throw protocolError(`${this.name}: key exchange already started`);
    this.state = 'group';
    const { min, preferred, max } = this.sizes;
    return {
      send: [message(KEX_MSG.KEX_DH_GEX_REQUEST).uint32(min).uint32(preferred).uint32(max).finish()],
      // The regress script dhgex checks the sizes in this line.
      log: [{ level: 1, text: `SSH2_MSG_KEX_DH_GEX_REQUEST(${min}<${preferred}<${max}) sent` }],
    };
  }

  expects(type: number): boolean {
    return (this.state === 'group' && type === KEX_MSG.KEX_DH_GEX_GROUP) || (this.state === 'reply' && type === KEX_MSG.KEX_DH_GEX_REPLY);
  }

  handle(payload: Buffer): KexStep {
    const r = new SshReader(payload, `${this.name} message`);
    const type = r.byte();
    if (this.state === 'group' && type === KEX_MSG.KEX_DH_GEX_GROUP) return this.onGroup(r);
    if (this.state === 'reply' && type === KEX_MSG.KEX_DH_GEX_REPLY) return this.onReply(r);
    throw unexpected(this.name, type);
  }

  private onGroup(r: SshReader): KexStep {
    const p = r.mpintBytes();
    const g = r.mpintBytes();
    r.end();
    if ((p.length > 0 && p[0]! & 0x80) || (g.length > 0 && g[0]! & 0x80)) throw protocolError('negative DH group value');
    const group = dhGroup(p, g);
    if (group.bits < this.sizes.min || group.bits > this.sizes.max) {
      throw kexError(`DH_GEX group out of range: ${group.bits} !< ${this.sizes.min} !< ${this.sizes.max}`);
    }
    const gValue = BigInt('0x' + (group.g.toString('hex') || '0'));
    if ((group.pValue & 1n) === 0n || gValue <= 1n || gValue >= group.pValue - 1n) {
      throw kexError('DH_GEX group is invalid');
    }
    this.group = group;
    this.ephemeral = dhEphemeral(group);
    this.state = 'reply';
    const log: KexLogLine[] = [
      { level: 1, text: 'SSH2_MSG_KEX_DH_GEX_GROUP received' },
      { level: 2, text: `bits set: ${bitsSet(this.ephemeral.publicValue)}/${group.bits}` },
      { level: 1, text: 'SSH2_MSG_KEX_DH_GEX_INIT sent' },
    ];
    return { send: [message(KEX_MSG.KEX_DH_GEX_INIT).string(this.ephemeral.publicValue).finish()], log };
  }

  private onReply(r: SshReader): KexStep {
    const hostKey = Buffer.from(r.string());
    const f = readDhValue(r);
    const signature = Buffer.from(r.string());
    r.end();
    const group = this.group!;
    const ephemeral = this.ephemeral!;
    const sharedSecret = ephemeral.complete(f);
    const h = gexHash(this.hash, this.prefix, hostKey, this.sizes, group, ephemeral.publicValue, f, sharedSecret);
    this.state = 'done';
    this.ephemeral = undefined;
    const log: KexLogLine[] = [
      { level: 1, text: 'SSH2_MSG_KEX_DH_GEX_REPLY received' },
      { level: 2, text: `bits set: ${bitsSet(f)}/${group.bits}` },
    ];
    return { send: [], result: { sharedSecret, exchangeHash: h, hash: this.hash, hostKey, signature }, log };
  }
}

/** Server role: answers a REQUEST with the RFC 3526 group closest to the preferred size. */
export class GexServer implements KexServer {
  readonly hash: HashName;
  private sizes: GexSizes | undefined;
  private group: DhGroup | undefined;
  private finished = false;

  constructor(
    readonly name: string,
    private readonly prefix: KexHashPrefix,
    private readonly hostKey: HostKeySigner,
    private readonly hostKeyAlgorithm: string,
  ) {
    this.hash = gexMethodHash(name);
  }

  handle(payload: Buffer): KexStep {
    const r = new SshReader(payload, `${this.name} message`);
    const type = r.byte();
    if (!this.finished && !this.group && type === KEX_MSG.KEX_DH_GEX_REQUEST) return this.onRequest(r);
    if (!this.finished && this.group && type === KEX_MSG.KEX_DH_GEX_INIT) return this.onInit(r);
    throw unexpected(this.name, type);
  }

  private onRequest(r: SshReader): KexStep {
    // H covers the sizes exactly as the client sent them; the group choice uses them clamped.
    const sizes = { min: r.uint32(), preferred: r.uint32(), max: r.uint32() };
    r.end();
    const { min, preferred, max } = sizes;
    if (max < min || preferred < min || max < preferred || max < GEX_MIN_BITS) {
      throw kexError(`DH_GEX_REQUEST, bad parameters: ${min} !< ${preferred} !< ${max}`);
    }
    const bits = chooseGroupBits(Math.max(min, GEX_MIN_BITS), preferred, Math.min(max, GEX_MAX_BITS));
    if (bits === undefined) throw kexError(`no DH group between ${min} and ${max} bits`);
    this.sizes = sizes;
    this.group = modpGroup(MODP_GROUPS[bits]);
    const reply = message(KEX_MSG.KEX_DH_GEX_GROUP).mpintFromUnsigned(this.group.p).mpintFromUnsigned(this.group.g);
    return { send: [reply.finish()] };
  }

  private onInit(r: SshReader): KexStep {
    const e = readDhValue(r);
    r.end();
    const group = this.group!;
    const { publicValue: f, complete } = dhEphemeral(group);
    const sharedSecret = complete(e);
    const hostKey = this.hostKey.publicBlob;
    const h = gexHash(this.hash, this.prefix, hostKey, this.sizes!, group, e, f, sharedSecret);
    const signature = this.hostKey.sign(this.hostKeyAlgorithm, h);
    this.finished = true;
    const reply = message(KEX_MSG.KEX_DH_GEX_REPLY).string(hostKey).string(f).string(signature).finish();
    return { send: [reply], result: { sharedSecret, exchangeHash: h, hash: this.hash, hostKey, signature } };
  }
}

/** The available group size within [min, max] nearest to `preferred` (the larger one on a tie). */
function chooseGroupBits(min: number, preferred: number, max: number): ModpBits | undefined {
  let best: ModpBits | undefined;
  for (const bits of MODP_BITS) {
    if (bits < min || bits > max) continue;
    if (best === undefined || Math.abs(bits - preferred) <= Math.abs(best - preferred)) best = bits;
  }
  return best;
}
