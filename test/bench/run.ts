/**
 * Benchmark: tssh against OpenSSH's ssh on the same throwaway sshd, alternating clients run by run
 * (A B A B ...) so drift in machine load hits both equally. Reports medians and tssh/ssh ratios.
 *
 *   npm run bench                 # default workloads, 3 runs each
 *   npm run bench -- --runs 5 --size 1G
 *
 * Figures per run come from GNU time (wall, user+sys CPU, peak RSS of the client process).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { startSshd } from '../support/sshd.js';
import { TSSH_BIN, makeTempDir, isolatedEnv } from '../support/run.js';

interface Measurement {
  wall: number;
  cpu: number;
  rssMb: number;
}

interface Workload {
  name: string;
  /** Extra client flags (cipher/MAC selection). */
  flags: string[];
  command: string;
  /** Bytes moved, for throughput; 0 for latency workloads. */
  bytes: number;
  /** Shell redirection for the client's stdin. */
  stdin: string;
}

function parseSize(text: string): number {
  const m = /^(\d+)([KMG]?)$/.exec(text);
  if (!m) throw new Error(`bad size ${text}`);
  return Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as '' | 'K' | 'M' | 'G'];
}

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function measure(bin: string, args: string[], stdin: string, env: NodeJS.ProcessEnv, timesFile: string): Promise<Measurement> {
  const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `/usr/bin/time -f '%e %U %S %M' -o ${timesFile} ${quoted} ${stdin} >/dev/null; s=$?; cat ${timesFile} >&2; exit $s`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const line = err.trim().split('\n').pop() ?? '';
      const [wall, user, sys, rss] = line.split(' ').map(Number);
      if (code !== 0 || wall === undefined || Number.isNaN(wall)) return reject(new Error(`${bin} failed (${code}): ${err}`));
      resolve({ wall, cpu: user! + sys!, rssMb: rss! / 1024 });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time is needed: apt-get install time');
  const runs = Number(argValue('--runs', '3'));
  const size = parseSize(argValue('--size', '1G'));
  const sshd = await startSshd({ hostKeyTypes: ['ed25519'] });
  const env = isolatedEnv(makeTempDir('tssh-bench-home-'));
  const gib = `${(size / 1024 ** 3).toFixed(size >= 1024 ** 3 ? 0 : 2)} GiB`;
  const down = `head -c ${size} /dev/zero`;
  const workloads: Workload[] = [
    { name: 'connect + exec true (curve25519)', flags: ['-o', 'KexAlgorithms=curve25519-sha256'], command: 'true', bytes: 0, stdin: '</dev/null' },
    ...[
      ['chacha20-poly1305@openssh.com'],
      ['aes128-gcm@openssh.com'],
      ['aes256-gcm@openssh.com'],
      ['aes128-ctr', 'hmac-sha2-256-etm@openssh.com'],
    ].flatMap(([cipher, mac]) => {
      const flags = ['-c', cipher!, ...(mac ? ['-m', mac] : [])];
      const label = mac ? `${cipher} + ${mac}` : cipher;
      return [
        { name: `${gib} down, ${label}`, flags, command: down, bytes: size, stdin: '</dev/null' },
        { name: `${gib} up, ${label}`, flags, command: 'cat >/dev/null', bytes: size, stdin: `< <(head -c ${size} /dev/zero)` },
      ];
    }),
  ];
  console.log(`# tssh vs OpenSSH ssh — ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}, ${runs} runs each`);
  console.log('| workload | tssh wall s | ssh wall s | wall ratio | tssh CPU s | ssh CPU s | CPU ratio | tssh RSS MB | ssh RSS MB | tssh MB/s |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  try {
    for (const w of workloads) {
      const results: Record<'tssh' | 'ssh', Measurement[]> = { tssh: [], ssh: [] };
      for (let i = 0; i < runs; i++) {
        for (const client of ['tssh', 'ssh'] as const) {
          const bin = client === 'tssh' ? TSSH_BIN : 'ssh';
          results[client].push(await measure(bin, [...w.flags, ...sshd.clientArgs(), w.command], w.stdin, env, `${sshd.dir}/times`));
        }
      }
      const m = (c: 'tssh' | 'ssh', k: keyof Measurement): number => median(results[c].map((r) => r[k]));
      const tput = w.bytes ? (w.bytes / 1e6 / m('tssh', 'wall')).toFixed(0) : '-';
      console.log(
        `| ${w.name} | ${m('tssh', 'wall').toFixed(2)} | ${m('ssh', 'wall').toFixed(2)} | ${(m('tssh', 'wall') / m('ssh', 'wall')).toFixed(2)} | ` +
          `${m('tssh', 'cpu').toFixed(2)} | ${m('ssh', 'cpu').toFixed(2)} | ${(m('tssh', 'cpu') / Math.max(m('ssh', 'cpu'), 0.01)).toFixed(2)} | ` +
          `${m('tssh', 'rssMb').toFixed(0)} | ${m('ssh', 'rssMb').toFixed(0)} | ${tput} |`,
      );
    }
  } finally {
    await sshd.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
