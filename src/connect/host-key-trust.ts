import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { HostKeyError, TsshError } from '../errors.js';
import { certificateOf, plainKeyType } from '../crypto/keys/certificate.js';
import type { PublicKey } from '../crypto/keys/types.js';
import { percentDollarExpand, tildeExpand, type TokenValues } from '../config/tokens.js';
import { fingerprint } from '../hostkeys/fingerprint.js';
import { keyTypeLabel } from '../hostkeys/key-blob.js';
import { HOST_KEY_VERIFICATION_FAILED } from '../hostkeys/messages.js';
import { isRevoked } from '../hostkeys/revoked-keys.js';
import { entriesForName } from '../hostkeys/host-status.js';
import { hostfileName, parseKnownHosts, parseKnownHostsFiles } from '../hostkeys/known-hosts.js';
import { orderHostKeyAlgorithms } from '../hostkeys/order-algorithms.js';
import { checkHostKey, type HostKeyCheckIo, type HostKeyCheckResult } from '../hostkeys/policy.js';
import { loadFiles } from '../hostkeys/policy-io.js';
import type { Logger } from '../log.js';
import { splitCommandLine } from '../text/words.js';
import { tokensFor, type HostProfile } from '../profile/resolve.js';
import type { Prompter, PromptPurpose } from '../prompt.js';
import { type ResolveEnvironment } from '../profile/environment.js';

/** What the host-key check decided, kept for UpdateHostKeys and for the verdict SshClient needs. */
export interface HostKeyOutcome {
  key: PublicKey;
  /** The negotiated host-key algorithm (RSA host-key proofs are checked with its signature type). */
  algorithm: string;
  result: HostKeyCheckResult;
  /** The peer's numeric address, undefined through a proxy. */
  address: string | undefined;
}

/**
 * The options to go on with after the host-key check: what continuing past a changed or revoked key
 * switched off (ssh's continue_unsafe) is off here too, so a possible man in the middle never sees the
 * agent, the X display or a port forward.
 */
export function withoutUnsafeFeatures(options: HostProfile, outcome: HostKeyOutcome | undefined): HostProfile {
  const disabled = new Set(outcome?.result.disabledFeatures ?? []);
  return {
    ...options,
    ...(disabled.has('forwardAgent') ? { forwardAgent: false } : {}),
    ...(disabled.has('forwardX11') ? { forwardX11: false } : {}),
    ...(disabled.has('portForwarding') ? { localForwards: [], remoteForwards: [] } : {}),
    ...(disabled.has('tunnel') ? { tunnel: 'no' as const } : {}),
  };
}

/**
 * known_hosts and StrictHostKeyChecking for one connection, with real files, the terminal and
 * KnownHostsCommand: the HostKeyAlgorithms proposal ordered by the keys known for the host, and the
 * trust callback SshClient runs once the server proved possession of its key.
 */
export class HostKeyTrust {
  /** Set once the server's key has been checked. */
  outcome: HostKeyOutcome | undefined;
  private readonly tokens: TokenValues;

  constructor(
    private readonly options: HostProfile,
    private readonly log: Logger,
    private readonly env: ResolveEnvironment,
    private readonly prompter: Prompter,
  ) {
    this.tokens = tokensFor(options, env);
  }

  /** User known_hosts files with `~` and tokens expanded (resolve.ts already did); `none` removed. */
  get userFiles(): string[] {
    return this.options.userKnownHostsFiles.filter((p) => p !== 'none');
  }

  /**
   * The HostKeyAlgorithms to propose: as configured, or, when the user did not choose them (or only
   * added or removed some), reordered to prefer the key types known for the host (OpenSSH order_hostkeyalgs).
   */
  async hostKeyAlgorithms(): Promise<string[]> {
    const algorithms = this.options.hostKeyAlgorithms;
    if (!this.options.hostKeyAlgorithmsFollowKnownHosts) return algorithms;
    const name = this.options.hostKeyAlias ?? hostfileName(this.options.hostName.toLowerCase(), this.options.port);
    const files = await loadFiles([...this.userFiles, ...this.options.globalKnownHostsFiles], this.fileIo());
    const entries = entriesForName(parseKnownHostsFiles(files), name);
    if (this.options.knownHostsCommand !== undefined) {
      const text = await this.runKnownHostsCommand('ORDER', this.options.hostName, undefined);
      entries.push(...entriesForName(parseKnownHosts('KnownHostsCommand-ORDER', text), name, true));
    }
    const { ordered, preferred } = orderHostKeyAlgorithms(algorithms, entries);
    if (preferred.length > 0) this.log.debug3(`order_hostkeyalgs: prefer hostkeyalgs: ${preferred.join(',')}`);
    return ordered;
  }

  /** SshClient's verifyHostKey: runs only after the key's signature over the exchange hash verified. */
  readonly verify = async (key: PublicKey, algorithm: string, address?: string): Promise<{ passwordAuthDisabled: boolean }> => {
    const options = this.options;
    const certificate = certificateOf(key);
    const plainBlob = certificate?.plainBlob ?? key.blob;
    const fp = fingerprint(plainBlob, options.fingerprintHash);
    this.log.debug1(`Server host ${certificate ? 'certificate' : 'key'}: ${key.type} ${fp}`);
    // RequiredRSASize (OpenSSH verify_host_key_callback): fatal, whatever known_hosts says.
    if (plainKeyType(key.type) === 'ssh-rsa' && key.bits < options.requiredRSASize) throw new TsshError('HOSTKEY', 'Bad server host key: Invalid key length');
    for (const path of options.revokedHostKeys) await this.checkRevokedHostKeys(path, key, fp);
    const result = await checkHostKey({
      host: options.hostName,
      port: options.port,
      ...(options.hostKeyAlias !== undefined ? { hostKeyAlias: options.hostKeyAlias } : {}),
      keyType: key.type,
      keyBlob: key.blob,
      ...(certificate !== undefined ? { certificate } : {}),
      caSignatureAlgorithms: options.caSignatureAlgorithms,
      strict: options.strictHostKeyChecking,
      userKnownHostsFiles: options.userKnownHostsFiles,
      globalKnownHostsFiles: options.globalKnownHostsFiles,
      hashKnownHosts: options.hashKnownHosts,
      checkHostIP: options.checkHostIP,
      noHostAuthenticationForLocalhost: options.noHostAuthenticationForLocalhost,
      visualHostKey: options.visualHostKey,
      fingerprintHash: options.fingerprintHash,
      batchMode: options.batchMode,
      homeDir: this.env.home,
      enabledFeatures: {
        passwordAuthentication: options.passwordAuthentication,
        kbdInteractiveAuthentication: options.kbdInteractiveAuthentication,
        forwardAgent: options.forwardAgent,
        forwardX11: options.forwardX11,
        portForwarding: options.localForwards.length > 0 || options.remoteForwards.length > 0,
        tunnel: options.tunnel !== 'no',
        updateHostKeys: options.updateHostKeys !== 'no',
      },
      exitOnForwardFailure: options.exitOnForwardFailure,
      ...(address !== undefined ? { address } : {}),
      io: this.policyIo(key),
    });
    this.outcome = { key, algorithm, result, address };
    return { passwordAuthDisabled: result.passwordAuthDisabled === true };
  };

  /** One RevokedHostKeys file (a KRL or a list of keys; resolve.ts expanded its name), checked before known_hosts as ssh does. */
  private async checkRevokedHostKeys(path: string, key: PublicKey, fp: string): Promise<void> {
    const label = keyTypeLabel(key.type);
    const certificate = certificateOf(key);
    let revoked: boolean;
    try {
      revoked = isRevoked(await fs.readFile(path), { plainBlob: certificate?.plainBlob ?? key.blob, ...(certificate ? { certificate } : {}) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : 'invalid format';
      this.log.error(`Error checking host key ${label} ${fp} in revoked keys file ${path}: ${reason}`);
      throw new TsshError('HOSTKEY', HOST_KEY_VERIFICATION_FAILED);
    }
    if (revoked) {
      this.log.error(`Host key ${label} ${fp} revoked by file ${path}`);
      const name = this.options.hostKeyAlias ?? hostfileName(this.options.hostName.toLowerCase(), this.options.port);
      throw new HostKeyError('revoked', name, fp, key.type, path, undefined, HOST_KEY_VERIFICATION_FAILED);
    }
  }

  private fileIo(): HostKeyCheckIo {
    return {
      readFile: async (path) => {
        try {
          return await fs.readFile(path, 'utf8');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw err;
        }
      },
      appendFile: (path, text) => fs.appendFile(path, text, { mode: 0o600 }),
      warn: (line) => this.log.error(line),
      info: (line) => this.log.info(line),
      debug: (line) => this.log.debug1(line),
    };
  }

  /** What a host-key question is about, for a prompter that answers from data rather than text. */
  private hostKeyQuestion(key: PublicKey): PromptPurpose {
    const plainBlob = certificateOf(key)?.plainBlob ?? key.blob;
    const host = this.options.hostKeyAlias ?? hostfileName(this.options.hostName.toLowerCase(), this.options.port);
    return { kind: 'host-key', host, keyType: key.type, fingerprint: fingerprint(plainBlob, this.options.fingerprintHash) };
  }

  private policyIo(key: PublicKey): HostKeyCheckIo {
    return {
      ...this.fileIo(),
      makeDirectory: async (path, mode) => {
        try {
          await fs.mkdir(path, { mode });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      },
      confirm: (prompt) => this.prompter.ask(prompt, { echo: true, allowEof: true, purpose: this.hostKeyQuestion(key) }),
      ...(this.options.knownHostsCommand !== undefined
        ? { knownHostsCommand: (invocation: 'HOSTNAME' | 'ADDRESS', name: string) => this.runKnownHostsCommand(invocation, name, key) }
        : {}),
    };
  }

  /**
   * Runs KnownHostsCommand (OpenSSH load_hostkeys_command): split into words, each word after the
   * first expanded with the connection tokens and %H %I %t %f %K, run directly (no shell) with the
   * environment preserved; its output is read as known_hosts lines. A command that fails is fatal.
   */
  async runKnownHostsCommand(invocation: 'HOSTNAME' | 'ADDRESS' | 'ORDER', name: string, key: PublicKey | undefined): Promise<string> {
    const tag = `KnownHostsCommand-${invocation}`;
    const template = this.options.knownHostsCommand!;
    const words = splitCommandLine(template);
    if (words === undefined) {
      this.log.error(`${tag} "${template}" contains invalid quotes`);
      return '';
    }
    if (words.length === 0) {
      this.log.error(`${tag} "${template}" yielded no arguments`);
      return '';
    }
    const certificate = key !== undefined ? certificateOf(key) : undefined;
    const tokens: TokenValues = {
      ...this.tokens,
      H: name,
      I: invocation,
      t: key?.type ?? 'NONE',
      f: key !== undefined ? fingerprint(certificate?.plainBlob ?? key.blob, this.options.fingerprintHash) : 'NONE',
      K: key?.blob.toString('base64') ?? 'NONE',
    };
    const argv = [words[0]!, ...words.slice(1).map((word) => percentDollarExpand(word, tokens, this.env.env))];
    const program = tildeExpand(argv[0]!, this.env.home);
    if (!program.startsWith('/')) {
      this.log.error(`${tag} path is not absolute`);
      return '';
    }
    try {
      await fs.stat(program);
    } catch (err) {
      this.log.error(`Could not stat ${tag} "${program}": ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : String(err)}`);
      return '';
    }
    const command = argv.join(' ');
    this.log.debug3(`subprocess: ${tag} command "${command}"`);
    const { status, signal, stdout } = await runCapturingStdout(program, argv.slice(1), this.env.env);
    if (signal !== null) {
      this.log.error(`${tag} ${command} exited on signal ${signal}`);
      throw new TsshError('HOSTKEY', 'KnownHostsCommand failed');
    }
    if (status !== 0) {
      this.log.info(`${tag} ${command} failed, status ${status}`);
      throw new TsshError('HOSTKEY', 'KnownHostsCommand failed');
    }
    return stdout;
  }
}

/** Runs a program with stdin on /dev/null, stderr shared, and collects stdout. */
function runCapturingStdout(
  program: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (err) => reject(new TsshError('HOSTKEY', `KnownHostsCommand: ${err.message}`)));
    child.on('close', (status, signal) => resolve({ status, signal, stdout: Buffer.concat(chunks).toString('utf8') }));
  });
}
