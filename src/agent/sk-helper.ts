/**
 * Signing with a FIDO authenticator through OpenSSH's own ssh-sk-helper (ssh-sk-client.c): one helper
 * process per signature, a request on its stdin and the reply on its stdout, each framed as
 *   uint32 length || byte version (5) || body
 * The sign request body is uint32 type (1) || byte log-on-stderr || uint32 log level || string key
 * (as sshkey_private_serialize writes it) || string provider || string data || string algorithm ("") ||
 * uint32 compat (0) || string PIN; the reply is uint32 type (1) || string signature, or uint32 0 ||
 * uint32 -error. The helper loads the provider library (SecurityKeyProvider) and talks to the device.
 */
import { spawn } from 'node:child_process';
import { TsshError } from '../errors.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';

const HELPER_VERSION = 5;
const HELPER_ERROR = 0;
const HELPER_SIGN = 1;
/** ssh_msg_recv refuses larger messages. */
const MAX_REPLY = 256 * 1024;

/** ssherr.h codes the helper may return, with ssh_err()'s words. */
const SSH_ERRORS: Readonly<Record<number, string>> = {
  1: 'unexpected internal error',
  4: 'invalid format',
  10: 'invalid argument',
  26: 'agent refused operation',
  43: 'incorrect passphrase supplied to decrypt private key',
  46: 'key not found',
  59: 'requested feature not supported',
  60: 'device not found',
};
export const SK_WRONG_PIN = 43;

export interface SkHelperRequest {
  /** The helper program: SSH_SK_HELPER, else where the system's OpenSSH installs it. */
  helper: string;
  /** SecurityKeyProvider as resolved: a library path, or "internal". */
  provider: string | undefined;
  keyFields: Buffer;
  data: Buffer;
  pin?: string;
  /** OpenSSH's SyslogLevel number (INFO = 3, DEBUG1 = 5, ...): how much the helper logs on our stderr. */
  logLevel: number;
}

/** A failure reported by the helper (its ssherr code) or of running it. */
export class SkHelperError extends TsshError {
  constructor(message: string, readonly sshError: number | undefined) {
    super('AGENT', message);
  }
}

function requestBody(req: SkHelperRequest): Buffer {
  const body = new SshWriter(req.keyFields.length + req.data.length + 256)
    .uint32(HELPER_SIGN)
    .byte(1)
    .uint32(req.logLevel)
    .string(req.keyFields)
    .string(req.provider ?? '')
    .string(req.data)
    .string('')
    .uint32(0)
    .string(req.pin ?? '')
    .finish();
  const framed = new SshWriter(body.length + 8).uint32(body.length + 1).byte(HELPER_VERSION).raw(body).finish();
  return Buffer.from(framed);
}

/** Parses the helper's framed reply into the signature blob; throws SkHelperError otherwise. */
export function parseHelperReply(reply: Buffer): Buffer {
  const r = new SshReader(reply, 'ssh-sk-helper reply');
  const length = r.uint32();
  if (length !== r.remaining || length > MAX_REPLY) throw new SkHelperError('receive: message incomplete', undefined);
  const version = r.byte();
  if (version !== HELPER_VERSION) throw new SkHelperError(`unsupported version: got ${version}, expected ${HELPER_VERSION}`, undefined);
  const type = r.uint32();
  if (type === HELPER_ERROR) {
    const code = r.uint32();
    throw new SkHelperError(SSH_ERRORS[code] ?? 'unexpected internal error', code);
  }
  if (type !== HELPER_SIGN) throw new SkHelperError(`helper returned incorrect message type ${type}, expecting ${HELPER_SIGN}`, undefined);
  const signature = Buffer.from(r.string());
  r.end();
  return signature;
}

/** Runs the helper once for a signature. Its stderr is ours, as with ssh. */
export function skHelperSign(req: SkHelperRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(req.helper, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    } catch (err) {
      reject(new SkHelperError(`execlp: ${(err as Error).message}`, undefined));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: SkHelperError | undefined;
    child.stdout!.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REPLY + 4) {
        failure = new SkHelperError('receive: message too long', undefined);
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stdin!.on('error', () => undefined); // a helper that exits early: reported by its status
    child.on('error', (err: NodeJS.ErrnoException) => {
      failure ??= new SkHelperError(`execlp: ${err.code === 'ENOENT' ? 'No such file or directory' : err.message}`, undefined);
    });
    child.on('close', (status) => {
      if (failure) return reject(failure);
      try {
        const signature = parseHelperReply(Buffer.concat(chunks));
        if (status !== 0) throw new SkHelperError('helper exited with non-zero exit status', undefined);
        resolve(signature);
      } catch (err) {
        if (err instanceof SkHelperError) reject(err);
        else reject(new SkHelperError(status !== 0 ? 'helper exited with non-zero exit status' : 'invalid format', undefined));
      }
    });
    child.stdin!.end(requestBody(req));
  });
}
