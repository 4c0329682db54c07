/**
 * `tssh -Z` (OpenSSH 10.5's pubkey_dump): the keys publickey authentication would try for a host, in
 * the order it would try them, worked out as for a connection (key files, certificates, the agent,
 * IdentitiesOnly, PubkeyAcceptedAlgorithms, RequiredRSASize) but without connecting, so the server's
 * server-sig-algs cannot rule any out and the agent is not bound to a host key.
 */
import { AgentClient } from '../agent/client.js';
import { describeIdentity } from '../auth/identities.js';
import { prepareIdentities } from '../auth/pubkey-prepare.js';
import type { Logger } from '../log.js';
import type { ResolveEnvironment } from '../profile/environment.js';
import type { HostProfile } from '../profile/resolve.js';
import { noPrompter } from '../prompt.js';
import { authInputs } from './auth-inputs.js';
import { fingerprint } from '../hostkeys/fingerprint.js';

/** One line per key, as ssh -Z prints them: `path TYPE SHA256:... [explicit] [agent]`. */
export async function identitiesToTry(profile: HostProfile, environment: ResolveEnvironment, log: Logger): Promise<string[]> {
  const { auth } = authInputs(profile, environment, log, { prompter: noPrompter, onBanner: () => {} });
  let agent: AgentClient | undefined;
  // ssh lists the agent's keys whatever PubkeyAuthentication says.
  if (auth.openAgent !== undefined) {
    try {
      agent = await auth.openAgent();
    } catch (err) {
      log.debug1(`get_agent_identities: ssh_get_authentication_socket: ${(err as Error).message}`);
    }
  }
  try {
    const identities = await prepareIdentities({ ...auth, log }, agent);
    return identities.map((id) => describeIdentity(id, (blob) => fingerprint(blob, profile.fingerprintHash)));
  } finally {
    agent?.close();
  }
}
