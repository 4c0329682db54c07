/**
 * The ssh2 npm library as a benchmark client: does what `ssh host cmd`, `ssh -W` and `ssh -N -L` do,
 * plus N exec round trips over one connection (which ssh2 can and the ssh command line cannot).
 *
 *   node ssh2-client.js '<json Ssh2Job>'
 *
 * `noDelay: false` is ssh2 as shipped (Nagle on: it writes each packet in several pieces); `true` hands
 * it a socket with TCP_NODELAY set, the fix its known issue calls for.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';

export interface Ssh2Job {
  host: string;
  port: number;
  user: string;
  keyFile: string;
  /** The server's host key blob (base64), checked as ssh checks known_hosts. */
  hostKey: string;
  noDelay: boolean;
  cipher?: string;
  mac?: string;
  kex?: string;
  mode: 'exec' | 'stdio-forward' | 'local-forward' | 'exec-round-trips';
  /** exec: the command; exec-round-trips: the command run each time. */
  command?: string;
  /** exec-round-trips: how many. */
  count?: number;
  /** stdio-forward / local-forward: where the server connects. */
  target?: { host: string; port: number };
  /** local-forward: the local port to listen on. */
  listenPort?: number;
}

function connect(job: Ssh2Job): Promise<Client> {
  const algorithms: NonNullable<ConnectConfig['algorithms']> = {};
  if (job.cipher) algorithms.cipher = [job.cipher as never];
  if (job.mac) algorithms.hmac = [job.mac as never];
  if (job.kex) algorithms.kex = [job.kex as never];
  const base: ConnectConfig = {
    username: job.user,
    privateKey: readFileSync(job.keyFile),
    algorithms,
    hostVerifier: (key: Buffer) => key.toString('base64') === job.hostKey,
    readyTimeout: 30_000,
  };
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    if (!job.noDelay) {
      client.connect({ ...base, host: job.host, port: job.port });
      return;
    }
    const sock = net.connect({ host: job.host, port: job.port, noDelay: true });
    sock.once('error', reject);
    sock.once('connect', () => client.connect({ ...base, sock }));
  });
}

/** Remote exit statuses, recorded from the moment a channel exists (see exec). */
const exitStatus = new WeakMap<ClientChannel, number>();

/**
 * The exit listener goes on inside ssh2's callback: a fast command's EOF, exit-status and CLOSE can
 * arrive in the same read as the exec reply, and ssh2 emits them before a promise continuation runs.
 */
function exec(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      stream.on('exit', (code: number | null) => exitStatus.set(stream, code ?? 255));
      resolve(stream);
    }),
  );
}

function forwardOut(client: Client, target: { host: string; port: number }): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.forwardOut('127.0.0.1', 0, target.host, target.port, (err, stream) => (err ? reject(err) : resolve(stream))),
  );
}

/** stdin → channel, channel → stdout/stderr; resolves with the remote exit status once the channel closed. */
function attachStdio(stream: ClientChannel): Promise<number> {
  return new Promise((resolve) => {
    process.stdin.pipe(stream);
    stream.pipe(process.stdout);
    stream.stderr?.pipe(process.stderr);
    stream.on('close', () => {
      process.stdin.unpipe(stream);
      process.stdin.destroy();
      resolve(exitStatus.get(stream) ?? 255);
    });
  });
}

async function runJob(job: Ssh2Job): Promise<number> {
  const client = await connect(job);
  switch (job.mode) {
    case 'exec': {
      const status = await attachStdio(await exec(client, job.command!));
      client.end();
      return status;
    }
    case 'stdio-forward': {
      await attachStdio(await forwardOut(client, job.target!));
      client.end();
      return 0;
    }
    case 'exec-round-trips': {
      for (let i = 0; i < job.count!; i++) {
        const stream = await exec(client, job.command!);
        await new Promise<void>((resolve) => {
          stream.on('close', () => resolve());
          stream.resume();
          stream.end();
        });
      }
      client.end();
      return 0;
    }
    case 'local-forward': {
      // Like ssh -N -L: runs until killed.
      const server = net.createServer((local) => {
        forwardOut(client, job.target!).then(
          (remote) => {
            local.pipe(remote).pipe(local);
            local.on('error', () => remote.destroy());
          },
          () => local.destroy(),
        );
      });
      server.listen(job.listenPort!, '127.0.0.1');
      return new Promise(() => {});
    }
  }
}

runJob(JSON.parse(process.argv[2]!) as Ssh2Job).then(
  (status) => process.stdout.write('', () => process.exit(status)),
  (err: unknown) => {
    process.stderr.write(`ssh2-client: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(255);
  },
);
