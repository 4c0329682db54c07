/**
 * OpenSSH's pubkey_prepare: the keys publickey authentication will try, in order, from the key files,
 * the certificates and what the agent holds. UserAuth runs it before the publickey method; `tssh -Z`
 * runs it without a connection (OpenSSH 10.5's pubkey_dump).
 */
import type { Logger } from '../log.js';
import type { AgentClient } from '../agent/client.js';
import { orderIdentities, type FileIdentity, type Identity } from './identities.js';
import { describeKey, rsaKeyTooShort, type OfferedKey } from './keys.js';

export interface IdentityPreparation {
  /** IdentityFile keys (each followed by its certificate) and CertificateFile certificates. */
  files: readonly FileIdentity[];
  certificates: readonly FileIdentity[];
  identitiesOnly: boolean;
  /** PubkeyAcceptedAlgorithms. */
  acceptedAlgorithms: readonly string[];
  /** RequiredRSASize: agent RSA keys shorter than this are not offered. */
  requiredRSASize?: number;
  log: Logger;
}

/** The agent's keys (when there is one) merged with the files, in the order they will be tried. */
export async function prepareIdentities(options: IdentityPreparation, agent: AgentClient | undefined): Promise<Identity[]> {
  const { log } = options;
  let agentKeys: Array<{ key: OfferedKey; comment: string }> | undefined;
  if (agent) {
    try {
      const listed = await agent.listIdentities();
      log.debug1(`get_agent_identities: agent returned ${listed.length} keys`);
      agentKeys = [];
      for (const { blob, comment } of listed) {
        try {
          const key = describeKey(blob);
          if (rsaKeyTooShort(key, options.requiredRSASize ?? 0)) {
            log.debug1(`pubkey_prepare: ignoring ${key.type} agent key: Invalid key length`);
            continue;
          }
          agentKeys.push({ key, comment });
        } catch (err) {
          log.debug1(`pubkey_prepare: ignoring agent key "${comment}": ${(err as Error).message}`);
        }
      }
    } catch (err) {
      log.debug1(`get_agent_identities: ssh_fetch_identitylist: ${(err as Error).message}`);
    }
  }
  const identities = orderIdentities({
    files: options.files,
    certificates: options.certificates,
    ...(agentKeys && agent ? { agentKeys, agent } : {}),
    identitiesOnly: options.identitiesOnly,
    acceptedAlgorithms: options.acceptedAlgorithms,
    log,
  });
  log.debug2('pubkey_prepare: done');
  return identities;
}
