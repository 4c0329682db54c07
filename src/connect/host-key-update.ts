/**
 * UpdateHostKeys on a live connection: answers the server's hostkeys-00@openssh.com, asks it to prove
 * the keys the user's known_hosts does not hold (hostkeys-prove-00@openssh.com), and rewrites the user
 * known_hosts files as OpenSSH does (backup in `<file>.old`, replaced atomically).
 */
import fs from 'node:fs/promises';
import type { GlobalRequestHandler } from '../connection/connection.js';
import type { PublicKey } from '../crypto/keys/types.js';
import { fingerprint } from '../hostkeys/fingerprint.js';
import { keyTypeLabel } from '../hostkeys/key-blob.js';
import { hostfileName, type KnownHostsFile } from '../hostkeys/known-hosts.js';
import { NO_HOST_IP_FOR_PROXY } from '../hostkeys/messages.js';
import {
  parseHostKeysOffer,
  planHostKeyUpdate,
  replaceHostEntries,
  verifyHostKeyProofs,
  type UpdateLog,
  type UpdatePlan,
} from '../hostkeys/update-host-keys.js';
import type { Logger } from '../log.js';
import type { HostKeyTrust } from './host-key-trust.js';
import type { HostProfile } from '../profile/resolve.js';
import type { Prompter } from '../prompt.js';

/** How long tssh waits at exit for an update still in flight (the server answers a proof request at once). */
const SETTLE_MS = 2000;

export class HostKeyUpdater {
  private seen = false;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: HostProfile,
    private readonly trust: HostKeyTrust,
    private readonly log: Logger,
    private readonly prompter: Prompter,
  ) {}

  /** ClientOptions.onGlobalRequest. */
  readonly onGlobalRequest: GlobalRequestHandler = (name, data, link) => {
    if (name !== 'hostkeys-00@openssh.com') return false;
    if (this.seen) {
      this.log.debug1('client_input_hostkeys: server already sent hostkeys');
      return true;
    }
    this.seen = true;
    const reason = this.disabledBecause();
    if (reason !== undefined) {
      this.log.debug3(`client_input_hostkeys: ${reason}`);
      return true;
    }
    this.pending = this.update(data, link).catch((err: unknown) => this.log.error(`client_input_hostkeys: ${(err as Error).message}`));
    // Success whatever happens: the server need not know what the client does with its files.
    return true;
  };

  /** Resolves when an update in progress has finished (or after a short grace period). */
  async settled(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.pending, new Promise<void>((resolve) => (timer = setTimeout(resolve, SETTLE_MS)))]);
    clearTimeout(timer);
  }

  /** OpenSSH can_update_hostkeys plus what check_host_key switched off. */
  private disabledBecause(): string | undefined {
    const o = this.options;
    if (o.updateHostKeys === 'no') return 'UpdateHostKeys disabled';
    if (o.updateHostKeys === 'ask' && (o.command !== undefined || o.remoteCommand !== undefined || o.requestTTY === 'no'))
      return 'UpdateHostKeys=ask is incompatible with remote command execution; disabling';
    if (o.updateHostKeys === 'ask' && ['QUIET', 'FATAL', 'ERROR'].includes(o.logLevel)) return 'UpdateHostKeys=ask needs LogLevel INFO or more';
    if (o.updateHostKeys === 'ask' && o.batchMode) return 'UpdateHostKeys=ask in batch mode';
    if (this.trust.userFiles.length === 0) return 'no user known_hosts file';
    const outcome = this.trust.outcome;
    if (outcome === undefined || !outcome.result.trusted) return 'hostkey not known or explicitly trusted: disabling UpdateHostkeys';
    if (outcome.result.noHostKeyUpdate !== undefined) return `${outcome.result.noHostKeyUpdate}; disabling UpdateHostkeys`;
    return undefined;
  }

  private updateLog(): UpdateLog {
    return { error: (m) => this.log.error(m), debug1: (m) => this.log.debug1(m), debug3: (m) => this.log.debug3(m) };
  }

  private async update(data: Buffer, link: Parameters<GlobalRequestHandler>[2]): Promise<void> {
    const o = this.options;
    const keys = parseHostKeysOffer(data, o.hostKeyAlgorithms, this.updateLog());
    if (keys === 'abort') return;
    if (keys.length === 0) {
      this.log.debug1('client_input_hostkeys: server sent no hostkeys');
      return;
    }
    const host = o.hostKeyAlias ?? hostfileName(o.hostName.toLowerCase(), o.port);
    const address = this.trust.outcome?.address;
    const ip = o.checkHostIP ? (address !== undefined ? hostfileName(address, o.port) : NO_HOST_IP_FOR_PROXY) : undefined;
    const files = await this.readUserFiles();
    const plan = planHostKeyUpdate(keys, files, host, ip, this.updateLog());
    const nnew = plan.matches.filter((m) => m === 0).length;
    this.log.debug3(`client_input_hostkeys: ${keys.length} server keys: ${nnew} new, ${plan.oldKeys.length} to remove`);
    if (plan.skip !== undefined) {
      this.log.debug1(`client_input_hostkeys: ${plan.skip}`);
      return;
    }
    if (nnew === 0) return this.rewrite(plan, keys, [], host, ip);
    this.log.debug3(`client_input_hostkeys: asking server to prove ownership for ${nnew} keys`);
    const reply = await link.globalRequest('hostkeys-prove-00@openssh.com', true, (w) => {
      plan.keys.forEach((key, i) => {
        if (plan.matches[i] === 0) w.string(key.blob);
      });
    });
    if (!reply.ok) {
      this.log.error('Server failed to confirm ownership of private host keys');
      return;
    }
    const kept = verifyHostKeyProofs(plan, reply.data, link.sessionId, this.trust.outcome!.algorithm, this.updateLog());
    if (kept === undefined) return;
    const learned = kept.filter((key) => plan.matches[plan.keys.indexOf(key)] === 0);
    return this.rewrite(plan, kept, learned, host, ip);
  }

  private async readUserFiles(): Promise<KnownHostsFile[]> {
    const files: KnownHostsFile[] = [];
    for (const path of this.trust.userFiles) {
      try {
        files.push({ path, text: await fs.readFile(path, 'utf8') });
      } catch {
        this.log.debug1(`client_input_hostkeys: hostkeys file ${path} does not exist`);
      }
    }
    return files;
  }

  /** update_known_hosts: report, maybe ask, then replace the entries in every user file (keys only in the first). */
  private async rewrite(plan: UpdatePlan, keys: PublicKey[], learned: PublicKey[], host: string, ip: string | undefined): Promise<void> {
    const o = this.options;
    const asking = o.updateHostKeys === 'ask';
    const say = (m: string): void => (asking ? this.log.info(m) : this.log.verbose(m));
    const fp = (blob: Buffer): string => fingerprint(blob, o.fingerprintHash);
    let first = true;
    const preamble = (): void => {
      if (first && asking) {
        say('The server has updated its host keys.');
        say("These changes were verified by the server's existing trusted key.");
      }
      first = false;
    };
    for (const key of learned) {
      preamble();
      say(`Learned new hostkey: ${keyTypeLabel(key.type)} ${fp(key.blob)}`);
    }
    for (const blob of plan.oldKeys) {
      preamble();
      say(`Deprecating obsolete hostkey: ${keyTypeLabel(blobType(blob))} ${fp(blob)}`);
    }
    if (asking && !(await this.confirmUpdate())) return;
    const paths = this.trust.userFiles;
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      let text: string;
      try {
        text = await fs.readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.log.debug1(`update_known_hosts: known hosts file ${path} does not exist`);
        else this.log.error(`update_known_hosts: known hosts file ${path} inaccessible: ${(err as Error).message}`);
        continue;
      }
      const replaced = replaceHostEntries({ path, text }, host, ip, i === 0 ? keys : [], o.hashKnownHosts, (key) => fp(key.blob));
      for (const line of replaced.log) this.log.verbose(line);
      if (replaced.modified) await replaceFile(path, replaced.text);
    }
  }

  /** "Accept updated hostkeys? (yes/no): " up to three times; anything but yes refuses. */
  private async confirmUpdate(): Promise<boolean> {
    for (let i = 0; i < 3; i++) {
      const answer = await this.prompter.ask('Accept updated hostkeys? (yes/no): ', { echo: true, allowEof: true, purpose: { kind: 'update-host-keys' } });
      if (answer === undefined) return false;
      if (answer.toLowerCase() === 'yes') return true;
      if (answer.toLowerCase() === 'no') return false;
      this.log.info('Please enter "yes" or "no"');
    }
    return false;
  }
}

function blobType(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** Writes `text` to a temporary file, keeps the old file as `<path>.old`, and renames the new one into place. */
async function replaceFile(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${Date.now().toString(36)}`;
  await fs.writeFile(temp, text, { mode: 0o600, flag: 'wx' });
  try {
    await fs.rm(`${path}.old`, { force: true });
    await fs.link(path, `${path}.old`);
    await fs.rename(temp, path);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}
