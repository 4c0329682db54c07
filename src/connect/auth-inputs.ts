import type { ClientAuthOptions } from '../client.js';
import type { AuthPrompter } from '../auth/userauth.js';
import { AgentClient } from '../agent/client.js';
import type { SshPrivateKey } from '../crypto/keys/private-key.js';
import type { AddKeysToAgent } from '../config/auth-options.js';
import type { HostProfile } from '../profile/resolve.js';
import type { Logger } from '../log.js';
import { identitiesFromFiles } from './identity-files.js';
import { agentSocketPath } from './agent-socket.js';
import type { ResolveEnvironment } from '../profile/environment.js';
import type { Prompter } from '../prompt.js';
import { securityKeySigner } from './security-key.js';

/** How authentication reaches the user: questions, and USERAUTH_BANNER texts (sanitised already). */
export interface AuthUserInterface {
  prompter: Prompter;
  onBanner(text: string): void;
  /** Security-key touch requests ("Confirm user presence for key ..."). */
  notice?(text: string): void;
}

/**
 * The user-authentication inputs for this connection: key files, the agent, which methods may run,
 * how the user is asked and how banners show.
 */
export function authInputs(options: HostProfile, env: ResolveEnvironment, log: Logger, ui: AuthUserInterface): { auth: ClientAuthOptions } {
  const prompter: AuthPrompter = ui.prompter;
  const agentSocket = agentSocketPath(options.identityAgent, env.env, log);
  const addToAgent = options.addKeysToAgent.mode === 'no' ? undefined : keyAdder(options.addKeysToAgent, agentSocket, prompter, log);
  const { files, certificates } = identitiesFromFiles({
    identityFiles: options.identityFiles,
    identityFilesUserProvided: !options.identityFilesAreDefaults,
    certificateFiles: options.certificateFiles,
    log,
    uid: env.uid,
    batchMode: options.batchMode,
    numberOfPasswordPrompts: options.numberOfPasswordPrompts,
    requiredRSASize: options.requiredRSASize,
    askPassphrase: async (prompt, path) => (await prompter.ask(prompt, { echo: false, purpose: { kind: 'passphrase', path } })) ?? '',
    securityKey: (path) =>
      securityKeySigner(
        {
          provider: options.securityKeyProvider,
          env: env.env,
          log,
          logLevel: options.logLevel,
          askPin: async (prompt) => (await prompter.ask(prompt, { echo: false, purpose: { kind: 'security-key-pin', path } })) ?? '',
          ...(ui.notice ? { notice: ui.notice } : {}),
        },
        path,
      ),
    ...(addToAgent ? { addToAgent } : {}),
  });
  return {
    auth: {
      files,
      certificates,
      ...(agentSocket !== undefined ? { openAgent: () => AgentClient.connect(agentSocket) } : {}),
      // Prompts name the host as HostKeyAlias when one is set ("user@alias's password: "), as ssh does.
      ...(options.hostKeyAlias !== undefined ? { promptHost: options.hostKeyAlias } : {}),
      identitiesOnly: options.identitiesOnly,
      acceptedAlgorithms: options.pubkeyAcceptedAlgorithms,
      requiredRSASize: options.requiredRSASize,
      policy: {
        ...(options.preferredAuthentications !== undefined ? { preferred: options.preferredAuthentications } : {}),
        publicKey: options.pubkeyAuthentication !== 'no',
        password: options.passwordAuthentication,
        keyboardInteractive: options.kbdInteractiveAuthentication,
        batchMode: options.batchMode,
        numberOfPasswordPrompts: options.numberOfPasswordPrompts,
        ...(options.kbdInteractiveDevices !== undefined ? { kbdInteractiveDevices: options.kbdInteractiveDevices } : {}),
      },
      prompter,
      onBanner: ui.onBanner,
    },
  };
}

/** AddKeysToAgent: hands a key just loaded from its file to the agent, asking first for `ask`. */
function keyAdder(setting: AddKeysToAgent, socket: string | undefined, prompter: Prompter, log: Logger) {
  return async (path: string, key: SshPrivateKey): Promise<void> => {
    if (socket === undefined) {
      log.debug3('no authentication agent, not adding key');
      return;
    }
    let agent: AgentClient;
    try {
      agent = await AgentClient.connect(socket);
    } catch {
      log.debug3('no authentication agent, not adding key');
      return;
    }
    try {
      if (setting.mode === 'ask') {
        const answer = await prompter.ask(`Add key ${path} (${key.comment}) to agent?`, { echo: false, allowEof: true, askpassOnly: { hint: 'confirm' }, purpose: { kind: 'add-key-to-agent', path } });
        if (answer === undefined || (answer !== '' && answer.toLowerCase() !== 'yes')) {
          log.debug3('user denied adding this key');
          return;
        }
      }
      await agent.addIdentity(key.agentFields(), key.comment === '' ? path : key.comment, {
        ...(setting.lifetimeSeconds !== undefined ? { lifetimeSeconds: setting.lifetimeSeconds } : {}),
        confirm: setting.mode === 'confirm',
      });
      log.debug1(`identity added to agent: ${path}`);
    } catch (err) {
      log.debug1(`could not add identity to agent: ${path} (${(err as Error).message})`);
    } finally {
      agent.close();
    }
  };
}
