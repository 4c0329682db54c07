import fs from 'node:fs';
import type { ClientAuthOptions } from '../client.js';
import type { AuthPrompter } from '../auth/userauth.js';
import { AgentClient } from '../agent/client.js';
import type { SshPrivateKey } from '../crypto/keys/private-key.js';
import type { AddKeysToAgent } from '../config/auth-options.js';
import type { ResolvedConfig, ResolveEnvironment } from './resolve.js';
import type { CliLogger } from './log.js';
import { identitiesFromFiles } from './identities.js';
import { agentSocketPath } from './agent-socket.js';
import { readSecret, type SecretPromptEnvironment } from './tty-prompt.js';
import { terminalCharset, visTerminal } from '../vis.js';

const SHOWS_INFO = new Set(['INFO', 'VERBOSE', 'DEBUG1', 'DEBUG2', 'DEBUG3']);

/**
 * The user-authentication inputs for this connection: key files, the agent, which methods may run,
 * how the user is asked (terminal or SSH_ASKPASS) and how banners show.
 */
export function authSetup(options: ResolvedConfig, env: ResolveEnvironment, log: CliLogger): { auth: ClientAuthOptions } {
  const secrets: SecretPromptEnvironment = { env: env.env, log };
  const charset = terminalCharset(env.env);
  const prompter: AuthPrompter = {
    ask: (prompt, how) => readSecret(how.serverText ? visTerminal(prompt, charset) : prompt, how, secrets),
    show: (text) => writeStderr(visTerminal(text, charset)),
  };
  const agentSocket = agentSocketPath(options.identityAgent, env.env, log);
  const addToAgent = options.addKeysToAgent.mode === 'no' ? undefined : keyAdder(options.addKeysToAgent, agentSocket, secrets);
  const { files, certificates } = identitiesFromFiles({
    identityFiles: options.identityFiles,
    identityFilesUserProvided: !options.identityFilesAreDefaults,
    certificateFiles: options.certificateFiles,
    log,
    uid: env.uid,
    batchMode: options.batchMode,
    numberOfPasswordPrompts: options.numberOfPasswordPrompts,
    askPassphrase: async (prompt) => (await readSecret(prompt, { echo: false }, secrets)) ?? '',
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
      // ssh prints banners as they are, on stderr (not the -E log), unless the log level is below INFO.
      onBanner: (text) => {
        if (SHOWS_INFO.has(log.level)) writeStderr(visTerminal(text, charset));
      },
    },
  };
}

function writeStderr(text: string): void {
  try {
    fs.writeSync(2, text);
  } catch {
    // stderr closed
  }
}

/** AddKeysToAgent: hands a key just loaded from its file to the agent, asking first for `ask`. */
function keyAdder(setting: AddKeysToAgent, socket: string | undefined, secrets: SecretPromptEnvironment) {
  const { log } = secrets;
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
        const answer = await readSecret(`Add key ${path} (${key.comment}) to agent?`, { echo: false, allowEof: true, askpassOnly: { hint: 'confirm' } }, secrets);
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
