/**
 * Benchmark: tssh against OpenSSH's ssh and the ssh2 npm library on one throwaway sshd on loopback,
 * alternating the clients run by run (A B C, B C A, ...) so drift in machine load hits them all.
 * The server is the OpenSSH 10.x of the test harness and ssh is the 10.x client built with it, so both
 * negotiate mlkem768x25519-sha256 by default (`--server 9.2`: Debian's sshd and /usr/bin/ssh).
 * Prints the start-up rows (`tssh -V` against `node -e 0`), then one markdown row per workload:
 * medians of wall time, client CPU (user+sys), client peak RSS and throughput, and the tssh/ssh and
 * tssh/ssh2 ratios.
 *
 *   npm run bench                                  # every workload, 3 runs each
 *   npm run bench -- --runs 5 --size 1G --latency-size 256M
 *   npm run bench -- --only 'down|up' --clients tssh,ssh --tssh /path/to/other/tssh
 *   npm run bench -- --only start-up --startup-runs 21
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sshdPath, startSshd, type OpensshRelease } from '../support/sshd.js';
import { openssh10 } from '../support/openssh10.js';
import { startUpCommands, startUpTable } from './start-up.js';
import { TSSH_BIN, makeTempDir, isolatedEnv } from '../support/run.js';
import { ALL_CLIENTS, type ClientName, type Endpoint } from './clients.js';
import { firstLine, median, stopChild, type Measurement } from './measure.js';
import { workloads, type BenchContext, type Workload } from './workloads.js';

const RELAY = fileURLToPath(new URL('./delay-relay.js', import.meta.url));
const TCP_TOOLS = fileURLToPath(new URL('./tcp-tools.js', import.meta.url));
/** Half the round trip of the long-link workload. */
const ONE_WAY_DELAY_MS = 50;

function parseSize(text: string): number {
  const m = /^(\d+)([KMG]?)$/.exec(text);
  if (!m) throw new Error(`bad size ${text}`);
  return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as '' | 'K' | 'M' | 'G'];
}

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function helper(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return { child, port: Number(await firstLine(child)) };
}

const load = (): string => os.loadavg()[0]!.toFixed(2);

/** "a / b / c" over the clients that ran, '-' where one could not. */
function cells(results: Map<ClientName, Measurement[]>, clients: readonly ClientName[], f: (m: Measurement[]) => string): string {
  return clients.map((c) => (results.get(c)?.length ? f(results.get(c)!) : 'n/a')).join(' / ');
}

function row(w: Workload, results: Map<ClientName, Measurement[]>, clients: readonly ClientName[]): string {
  const med = (c: ClientName, k: keyof Measurement): number | undefined => {
    const ms = results.get(c);
    return ms?.length ? median(ms.map((m) => m[k])) : undefined;
  };
  const ratio = (a: ClientName, b: ClientName, k: keyof Measurement): string => {
    const x = med(a, k);
    const y = med(b, k);
    return x !== undefined && y !== undefined && y > 0 ? (x / y).toFixed(2) : '-';
  };
  const wall = cells(results, clients, (ms) => median(ms.map((m) => m.wall)).toFixed(w.bytes ? 2 : 3));
  const cpu = cells(results, clients, (ms) => median(ms.map((m) => m.cpu)).toFixed(w.bytes ? 2 : 3));
  const rss = cells(results, clients, (ms) => median(ms.map((m) => m.rssMb)).toFixed(0));
  const tput = w.bytes ? cells(results, clients, (ms) => (w.bytes / 1e6 / median(ms.map((m) => m.wall))).toFixed(0)) : '-';
  return `| ${w.name} | ${wall} | ${ratio('tssh', 'ssh', 'wall')} | ${ratio('tssh', 'ssh2', 'wall')} | ${cpu} | ${ratio('tssh', 'ssh', 'cpu')} | ${rss} | ${tput} |`;
}

/** known_hosts naming the server's key for both the direct port and the relay's. */
function knownHostsFor(sourceFile: string, ports: number[], target: string): string {
  const line = readFileSync(sourceFile, 'utf8').split('\n').find((l) => l.trim() !== '')!;
  const [, type, blob] = line.trim().split(/\s+/);
  writeFileSync(target, ports.map((p) => `[127.0.0.1]:${p} ${type} ${blob}\n`).join(''));
  return blob!;
}

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time is needed: apt-get install time');
  const runs = Number(argValue('--runs', '3'));
  const size = parseSize(argValue('--size', '1G'));
  const latencySize = parseSize(argValue('--latency-size', '256M'));
  const only = new RegExp(argValue('--only', '.'));
  const clients = argValue('--clients', ALL_CLIENTS.join(',')).split(',') as ClientName[];
  const tsshBin = argValue('--tssh', TSSH_BIN);
  const jsonOut = argValue('--json', '');
  const release = argValue('--server', '10') as OpensshRelease;
  const bins = { tssh: tsshBin, ssh: release === '10' ? openssh10('ssh') : 'ssh' };
  const defaultKex = release === '10' ? 'mlkem768x25519-sha256 on both' : 'tssh mlkem768x25519-sha256 falls back to sntrup761x25519-sha512, as ssh';

  const sshd = await startSshd({ release, hostKeyTypes: ['ed25519'], extraConfig: ['LogLevel ERROR'] });
  const dir = makeTempDir('tssh-bench-');
  const helpers: ChildProcess[] = [];
  const raw: Record<string, Record<string, Measurement[]>> = {};
  try {
    const relay = await helper([RELAY, String(sshd.port), String(ONE_WAY_DELAY_MS)]);
    helpers.push(relay.child);
    const source = await helper([TCP_TOOLS, 'source', String(size)]);
    helpers.push(source.child);
    const knownHosts = path.join(dir, 'known_hosts');
    const hostKey = knownHostsFor(sshd.knownHosts, [sshd.port, relay.port], knownHosts);
    const endpoint = (port: number): Endpoint => ({ port, user: sshd.user, keyFile: sshd.userKey, knownHosts, hostKey });
    // Without NODE_EXTRA_CA_CERTS, which costs every node process ~60 ms at start (ssh2's included;
    // bin/tssh keeps it from its own node): the start-up table shows that case separately.
    const env = isolatedEnv(makeTempDir('tssh-bench-home-'));
    delete env['NODE_EXTRA_CA_CERTS'];
    const ctx: BenchContext = { bins, env, direct: endpoint(sshd.port), delayed: endpoint(relay.port), sourcePort: source.port, dir };

    const cpu = os.cpus();
    console.log(`# ${clients.join(' / ')} — ${new Date().toISOString().slice(0, 10)}, ${cpu[0]?.model.trim() ?? 'cpu'} ×${cpu.length}, ` +
      `Linux ${os.release()}, Node ${process.version}, sshd ${readFirstLine(sshdPath(release), ['-V'])}, ssh ${readFirstLine(bins.ssh, ['-V'])}, ssh2 ${ssh2Version()}, ${runs} runs each (medians); load ${load()}`);
    if (only.test('start-up')) {
      const startUpRuns = Number(argValue('--startup-runs', String(Math.max(11, runs))));
      for (const line of await startUpTable(startUpCommands(tsshBin, bins.ssh, process.env), startUpRuns, { ...ctx.env, NODE_EXTRA_CA_CERTS: process.env['NODE_EXTRA_CA_CERTS'] }, path.join(dir, 'times'))) console.log(line);
      console.log(`\n(start-up: ${startUpRuns} runs each; load ${load()})\n`);
    }
    console.log(`| workload | wall s (${clients.join(' / ')}) | tssh÷ssh wall | tssh÷ssh2 wall | CPU s | tssh÷ssh CPU | peak RSS MiB | MB/s |`);
    console.log('|---|---|---|---|---|---|---|---|');
    for (const w of workloads(size, latencySize, defaultKex).filter((x) => only.test(x.name))) {
      const results = new Map<ClientName, Measurement[]>(clients.map((c) => [c, []]));
      for (let i = 0; i < runs; i++) {
        // Rotate the order each run so no client always goes first (A B C, B C A, ...).
        for (let j = 0; j < clients.length; j++) {
          const client = clients[(i + j) % clients.length]!;
          const m = await w.run(client, ctx);
          if (m) results.get(client)!.push(m);
        }
      }
      raw[w.name] = Object.fromEntries(results);
      console.log(row(w, results, clients));
    }
    console.log(`\nload average at the end: ${load()}`);
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(raw, null, 1));
  } finally {
    for (const h of helpers) await stopChild(h);
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ssh2's version and whether its optional native crypto binding was built (it changes its speed). */
function ssh2Version(): string {
  const require = createRequire(import.meta.url);
  const { version } = require('ssh2/package.json') as { version: string };
  const { bindingAvailable } = require('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean };
  return `${version} (native binding ${bindingAvailable ? 'built' : 'not built'})`;
}

function readFirstLine(bin: string, args: string[]): string {
  const r = spawnSync(bin, args, { encoding: 'utf8' });
  return `${r.stderr}${r.stdout}`.split('\n')[0]!.split(',')[0]!;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
