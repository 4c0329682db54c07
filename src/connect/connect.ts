/**
 * From a resolved host profile to an authenticated connection, as ssh does it: the route (TCP,
 * ProxyCommand or ProxyJump hops, each connected the same way), host-key trust from known_hosts,
 * identities and the agent, UpdateHostKeys. The CLI and the library both connect through here; each
 * brings its own way of asking the user and of logging.
 */
import type { ClientOptions } from '../client.js';
import { SshClient } from '../client.js';
import type { Logger } from '../log.js';
import type { Timeline } from '../timeline.js';
import type { ResolveEnvironment } from '../profile/environment.js';
import type { HostProfile } from '../profile/resolve.js';
import { authInputs, type AuthUserInterface } from './auth-inputs.js';
import { HostKeyTrust, withoutUnsafeFeatures, type HostKeyOutcome } from './host-key-trust.js';
import { HostKeyUpdater } from './host-key-update.js';
import { routeTo, type RouteContext } from './route.js';
import { joinMaster } from './sharing.js';
import { withTimedPrompts } from './timed-prompts.js';
import { POST_QUANTUM_KEX } from '../crypto/names.js';
import { parseChannelTimeout } from '../config/session-options.js';
import { LOCAL_IDENT } from '../transport/ident.js';

export interface ConnectHooks {
  environment: ResolveEnvironment;
  log: Logger;
  /** Prompts and banners. */
  ui: AuthUserInterface;
  /** The program name in messages ("tssh: connect to host ..."). */
  progname: string;
  /** How jump hosts are resolved: the -F file and -v count of the command (ssh passes both on). */
  jumps: { configFile: string | undefined; verbosity: number };
  /** Frees spent packet buffers during transfers (see TransportConfig.reclaim). */
  reclaim?: () => void;
  /** Aborts connecting, jump hosts included. */
  signal?: AbortSignal;
  /** --timing: every phase of connecting, jump hosts nested, is recorded here. */
  timeline?: Timeline;
}

/** An authenticated connection and what the host-key check decided about it. */
export interface Connected {
  client: SshClient;
  /** The profile to go on with: what continuing past a changed host key forbids is switched off. */
  profile: HostProfile;
  hostKey: HostKeyOutcome | undefined;
  /** True when this runs over an existing ControlMaster instead of a connection of its own. */
  joined: boolean;
  /** Waits for an UpdateHostKeys exchange still in flight, then closes the connection. */
  close(): Promise<void>;
}

/** Connects, checks the host key and authenticates. Throws TsshError (and its typed subclasses). */
export async function connectHost(profile: HostProfile, hooks: ConnectHooks): Promise<Connected> {
  // ControlMaster no/auto/autoask with a ControlPath: an existing master is used first, as ssh does.
  const joined = await joinMaster(profile, hooks.log);
  if (joined !== undefined) {
    const { client } = joined;
    hooks.timeline?.mark('mux', { controlPath: profile.controlPath ?? '' });
    if (hooks.timeline) client.connection.timeline = hooks.timeline;
    return { client, profile: joined.profile, hostKey: undefined, joined: true, close: async () => client.close() };
  }
  const destinationHooks = { ...hooks, ui: withTimedPrompts(hooks.ui, hooks.timeline) };
  const trust = new HostKeyTrust(profile, hooks.log, hooks.environment, destinationHooks.ui.prompter);
  const updates = new HostKeyUpdater(profile, trust, hooks.log, destinationHooks.ui.prompter);
  const route: RouteContext = {
    env: hooks.environment,
    log: hooks.log,
    configFile: hooks.jumps.configFile,
    verbosity: hooks.jumps.verbosity,
    progname: hooks.progname,
    // A ProxyJump hop: its own host-key trust and authentication, reached through `dial`.
    connect: async (hop, dial, timeline) => {
      const hopHooks = { ...hooks, ui: withTimedPrompts(hooks.ui, timeline) };
      const hopTrust = new HostKeyTrust(hop, hooks.log, hooks.environment, hopHooks.ui.prompter);
      return SshClient.connect({ ...(await clientOptions(hop, hopHooks, hopTrust)), dial, ...(timeline ? { timeline } : {}) });
    },
  };
  const client = await SshClient.connect({
    ...(await clientOptions(profile, destinationHooks, trust)),
    onGlobalRequest: updates.onGlobalRequest,
    dial: routeTo(profile, route, 0, hooks.timeline),
    ...(hooks.timeline ? { timeline: hooks.timeline } : {}),
  });
  return {
    client,
    profile: withoutUnsafeFeatures(profile, trust.outcome),
    hostKey: trust.outcome,
    joined: false,
    close: async () => {
      await updates.settled();
      client.close();
    },
  };
}

/** What SshClient needs to reach, trust and log in to the host of `profile` (the destination or a jump host). */
async function clientOptions(profile: HostProfile, hooks: ConnectHooks, hostKeys: HostKeyTrust): Promise<ClientOptions> {
  return {
    host: profile.hostName,
    port: profile.port,
    user: profile.user,
    preferences: {
      kex: profile.kexAlgorithms,
      hostKey: await hostKeys.hostKeyAlgorithms(),
      ciphers: profile.ciphers,
      macs: profile.macs,
      compression: profile.compression ? ['zlib@openssh.com', 'zlib', 'none'] : ['none', 'zlib@openssh.com', 'zlib'],
    },
    rekeyLimit: profile.rekeyLimit,
    ...(profile.connectTimeout !== undefined ? { connectTimeoutMs: profile.connectTimeout * 1000 } : {}),
    verifyHostKey: hostKeys.verify,
    ...authInputs(profile, hooks.environment, hooks.log, hooks.ui),
    log: hooks.log,
    progname: hooks.progname,
    serverAlive: { intervalSeconds: profile.serverAliveInterval, countMax: profile.serverAliveCountMax },
    ...(hooks.reclaim ? { reclaim: hooks.reclaim } : {}),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    localVersion: identificationString(profile.versionAddendum),
    channelTimeouts: profile.channelTimeouts.flatMap((text) => parseChannelTimeout(text) ?? []),
    onKeyExchange: (kex) => {
      if (profile.warnWeakCrypto && !profile.kexAlgorithmsSet && !POST_QUANTUM_KEX.has(kex)) warnNotPostQuantum(hooks.log);
    },
  };
}

/** `SSH-2.0-tssh_<version>`, and ` <VersionAddendum>` when one is set (empty means none, as in ssh). */
export function identificationString(addendum: string | undefined): string {
  return addendum === undefined || addendum === '' ? LOCAL_IDENT : `${LOCAL_IDENT} ${addendum}`;
}

/**
 * OpenSSH 10.x's warning when the server picked a key exchange that is not post-quantum although the
 * default list was offered (WarnWeakCrypto; sshconnect.c warn_nonpq_kex), at INFO level.
 */
function warnNotPostQuantum(log: Logger): void {
  log.info('** WARNING: connection is not using a post-quantum key exchange algorithm.');
  log.info('** This session may be vulnerable to "store now, decrypt later" attacks.');
  log.info('** The server may need to be upgraded. See https://openssh.com/pq.html');
}
