/**
 * The benchmark workloads. Each one runs one client once and returns its figures, or undefined where
 * the client cannot do the job (tssh and ssh have no single-process "N execs over one connection").
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLine, openSshOptions, ssh2Command, type Algorithms, type ClientBinaries, type ClientName, type Endpoint } from './clients.js';
import { firstLine, isListening, processCpu, processPeakRss, stopChild, timeProcess, waitUntil, type Measurement } from './measure.js';

export interface BenchContext {
  bins: ClientBinaries;
  env: NodeJS.ProcessEnv;
  /** sshd directly, and through the delay relay. */
  direct: Endpoint;
  delayed: Endpoint;
  /** A helper serving `size` bytes of zeros to every connection (the far end of -L and -W). */
  sourcePort: number;
  dir: string;
}

export interface Workload {
  name: string;
  /** Bytes moved, for MB/s; 0 for latency workloads. */
  bytes: number;
  run(client: ClientName, ctx: BenchContext): Promise<Measurement | undefined>;
}

const TCP_TOOLS = fileURLToPath(new URL('./tcp-tools.js', import.meta.url));
const LONG = 600_000;

function execWorkload(name: string, bytes: number, algorithms: Algorithms, command: string, stdin: { redirect: string } | { pipeFrom: string }, endpoint: 'direct' | 'delayed' = 'direct'): Workload {
  return {
    name,
    bytes,
    run: async (client, ctx) =>
      // ssh2 has no sntrup761.
      algorithms.kex?.startsWith('sntrup761') && client.startsWith('ssh2') ? undefined : timeProcess(commandLine(client, ctx.bins, ctx[endpoint], algorithms, { kind: 'exec', command }), stdin, ctx.env, path.join(ctx.dir, 'times'), LONG),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `-N -L`: once the client listens, a reader pulls `bytes` through it; CPU counted over the transfer only. */
function localForwardWorkload(name: string, bytes: number, algorithms: Algorithms): Workload {
  return {
    name,
    bytes,
    async run(client, ctx) {
      const listenPort = await freePort();
      const [bin, ...args] = commandLine(client, ctx.bins, ctx.direct, algorithms, { kind: 'local-forward', listenPort, targetPort: ctx.sourcePort });
      const child = spawn(bin!, args, { stdio: ['ignore', 'ignore', 'inherit'], env: ctx.env });
      try {
        await waitUntil(() => isListening(listenPort) || child.exitCode !== null, 20_000, `${client} -L to listen`);
        if (child.exitCode !== null) throw new Error(`${client} -L exited with ${child.exitCode}`);
        const cpuBefore = processCpu(child.pid!);
        const started = performance.now();
        const reader = spawn(process.execPath, [TCP_TOOLS, 'read', String(listenPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
        const received = Number(await firstLine(reader));
        const wall = (performance.now() - started) / 1000;
        if (received !== bytes) throw new Error(`${client} -L moved ${received} bytes, not ${bytes}`);
        return { wall, cpu: processCpu(child.pid!) - cpuBefore, rssMb: processPeakRss(child.pid!) };
      } finally {
        await stopChild(child);
      }
    },
  };
}

/** 100 one-line round trips through `cat` in one session: per-message latency of the data path. */
function echoWorkload(name: string, count: number): Workload {
  return {
    name,
    bytes: 0,
    async run(client, ctx) {
      const [bin, ...args] = commandLine(client, ctx.bins, ctx.direct, {}, { kind: 'exec', command: 'cat' });
      const child = spawn(bin!, args, { stdio: ['pipe', 'pipe', 'inherit'], env: ctx.env });
      let waiting: (() => void) | undefined;
      let pending = '';
      child.stdout!.on('data', (d: Buffer) => {
        pending += d.toString();
        if (pending.includes('\n')) {
          pending = '';
          waiting?.();
        }
      });
      const roundTrip = (): Promise<void> => {
        const done = new Promise<void>((resolve) => (waiting = resolve));
        child.stdin!.write('ping\n');
        return done;
      };
      try {
        await roundTrip(); // connected and the session is up
        const cpuBefore = processCpu(child.pid!);
        const started = performance.now();
        for (let i = 0; i < count; i++) await roundTrip();
        const wall = (performance.now() - started) / 1000;
        const measured = { wall, cpu: processCpu(child.pid!) - cpuBefore, rssMb: processPeakRss(child.pid!) };
        child.stdin!.end();
        await once(child, 'exit');
        return measured;
      } finally {
        await stopChild(child);
      }
    },
  };
}

/**
 * N execs of `true` over one connection: ssh2 in one process; ssh and tssh as N processes through a
 * master of their own (-M -S, then -S path host true), the cost a script or ansible pays per command.
 */
function execRoundTripsWorkload(name: string, count: number): Workload {
  return {
    name,
    bytes: 0,
    async run(client, ctx) {
      const times = path.join(ctx.dir, 'times');
      if (client === 'ssh2' || client === 'ssh2-shipped') {
        return timeProcess(ssh2Command(client === 'ssh2', ctx.direct, {}, count, 'true'), { redirect: '</dev/null' }, ctx.env, times, LONG);
      }
      if (client !== 'ssh' && client !== 'tssh') return undefined;
      const control = path.join(ctx.dir, 'control');
      const q = (args: string[]): string => args.map((a) => `'${a}'`).join(' ');
      const options = q(openSshOptions(ctx.direct, {}));
      const destination = `${ctx.direct.user}@127.0.0.1`;
      const ssh = q([ctx.bins[client]]);
      const script = [
        `${ssh} -M -S ${control} -N ${options} ${destination} & master=$!`,
        `while [ ! -S ${control} ]; do sleep 0.005; done`,
        `for i in $(seq ${count}); do ${ssh} -S ${control} ${options} ${destination} true </dev/null || exit 1; done`,
        `${ssh} -S ${control} -O exit ${destination} 2>/dev/null; wait $master; exit 0`,
      ].join('\n');
      if (existsSync(control)) throw new Error(`stale ${control}`);
      return timeProcess(['bash', '-c', script], { redirect: '</dev/null' }, ctx.env, times, LONG);
    },
  };
}

const BULK_CIPHERS: Array<[string, string?]> = [
  ['chacha20-poly1305@openssh.com'],
  ['aes128-gcm@openssh.com'],
  ['aes256-gcm@openssh.com'],
  ['aes128-ctr', 'hmac-sha2-256-etm@openssh.com'],
  // What ssh negotiates for a non-AEAD cipher under OpenSSH's default MACs (ssh2 has no UMAC).
  ['aes128-ctr', 'umac-64-etm@openssh.com'],
];

/** Tunnels and the long link use OpenSSH's default cipher, pinned so ssh2 (which prefers AES-GCM) does the same work. */
const TUNNEL_CIPHER: Algorithms = { cipher: 'chacha20-poly1305@openssh.com' };

/** `defaultKex`: what both clients negotiate with no KexAlgorithms against this server, for the label. */
export function workloads(size: number, latencySize: number, defaultKex: string): Workload[] {
  const label = (bytes: number): string => (bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`);
  const zeros = (bytes: number): string => `head -c ${bytes} /dev/zero`;
  return [
    execWorkload(`connect + exec true (default kex: ${defaultKex})`, 0, {}, 'true', { redirect: '</dev/null' }),
    execWorkload('connect + exec true (curve25519-sha256)', 0, { kex: 'curve25519-sha256' }, 'true', { redirect: '</dev/null' }),
    execWorkload('connect + exec true (sntrup761x25519-sha512)', 0, { kex: 'sntrup761x25519-sha512@openssh.com' }, 'true', { redirect: '</dev/null' }),
    ...BULK_CIPHERS.flatMap(([cipher, mac]) => {
      const algorithms: Algorithms = { cipher, ...(mac ? { mac } : {}) };
      const what = mac ? `${cipher} + ${mac}` : cipher;
      return [
        execWorkload(`${label(size)} down, ${what}`, size, algorithms, zeros(size), { redirect: '</dev/null' }),
        execWorkload(`${label(size)} up, ${what}`, size, algorithms, 'cat >/dev/null', { pipeFrom: `${zeros(size)} |` }),
      ];
    }),
    localForwardWorkload(`${label(size)} through -L (chacha20-poly1305)`, size, TUNNEL_CIPHER),
    {
      name: `${label(size)} through -W (chacha20-poly1305)`,
      bytes: size,
      run: (client, ctx) =>
        timeProcess(commandLine(client, ctx.bins, ctx.direct, TUNNEL_CIPHER, { kind: 'stdio-forward', targetPort: ctx.sourcePort }), { redirect: '</dev/null' }, ctx.env, path.join(ctx.dir, 'times'), LONG),
    },
    echoWorkload('100 echo round trips in one session', 100),
    execRoundTripsWorkload('connect + 100 exec round trips, one connection (ssh, tssh: 100 processes through a master)', 100),
    execWorkload(`${label(latencySize)} down, 100 ms RTT (chacha20-poly1305)`, latencySize, TUNNEL_CIPHER, zeros(latencySize), { redirect: '</dev/null' }, 'delayed'),
  ];
}
