import fs from 'node:fs';
import { TsshError } from '../errors.js';
import { parsePrivateKey } from '../crypto/keys/index.js';
import type { Identity } from '../auth/userauth.js';
import type { CliLogger } from './log.js';

/**
 * Identity files in OpenSSH's order. Files that cannot be read are skipped (option resolution already
 * warned about the ones the user named). Keys are parsed only when offered.
 */
export function identitiesFromFiles(paths: readonly string[], log: CliLogger): Identity[] {
  const identities: Identity[] = [];
  for (const path of paths) {
    try {
      fs.accessSync(path, fs.constants.R_OK);
    } catch {
      log.debug1(`identity file ${path} type -1`);
      continue;
    }
    identities.push({
      label: path,
      load: async () => {
        let data: Buffer;
        try {
          data = fs.readFileSync(path);
        } catch (err) {
          throw new TsshError('KEY', `Load key "${path}": ${(err as Error).message}`);
        }
        return parsePrivateKey(data, path);
      },
    });
  }
  return identities;
}
