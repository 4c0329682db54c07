import fs from 'node:fs/promises';
import { checkHostKey } from '../hostkeys/policy.js';
import type { PublicKey } from '../crypto/keys/types.js';
import type { ResolvedOptions } from '../config/options.js';
import type { CliLogger } from './log.js';
import { askOnTerminal } from './tty-prompt.js';

/**
 * The host-key trust callback for SshClient: known_hosts files and the StrictHostKeyChecking policy,
 * with real files and the terminal. Runs only after the server proved possession of the key.
 */
export function hostKeyVerifier(options: ResolvedOptions, log: CliLogger, home: string, address: string | undefined) {
  return async (key: PublicKey): Promise<{ passwordAuthDisabled: boolean }> => {
    const result = await checkHostKey({
      host: options.hostName,
      port: options.port,
      keyType: key.type,
      keyBlob: key.blob,
      strict: options.strictHostKeyChecking,
      userKnownHostsFiles: options.userKnownHostsFiles,
      globalKnownHostsFiles: options.globalKnownHostsFiles,
      hashKnownHosts: false,
      batchMode: options.batchMode,
      homeDir: home,
      ...(address ? { address } : {}),
      io: {
        readFile: async (path) => {
          try {
            return await fs.readFile(path, 'utf8');
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
            throw err;
          }
        },
        appendFile: (path, text) => fs.appendFile(path, text, { mode: 0o600 }),
        makeDirectory: async (path, mode) => {
          try {
            await fs.mkdir(path, { mode });
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          }
        },
        warn: (line) => log.error(line),
        info: (line) => log.info(line),
        debug: (line) => log.debug1(line),
        confirm: async (prompt) => askOnTerminal(prompt),
      },
    });
    return { passwordAuthDisabled: result.passwordAuthDisabled === true };
  };
}
