/**
 * Start-up rows: what tssh adds to Node's own start (`tssh -V` against `node -e 0`), with and without
 * the start-up snapshot, and `ssh -V` for scale. Alternating order, medians, as the main table.
 */
import path from 'node:path';
import { median, timeProcess, type Measurement } from './measure.js';

interface StartUpCommand {
  label: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * The commands compared; `tsshBin` is bin/tssh, whose bin/tssh.mjs beside it is the start without the
 * snapshot. Where the environment sets NODE_EXTRA_CA_CERTS (node parses that file at every start; bin/tssh
 * keeps it from its own node), the node rows run again without it: the comparison for a machine without.
 */
export function startUpCommands(tsshBin: string, sshBin: string, env: NodeJS.ProcessEnv): StartUpCommand[] {
  const node = (label: string, argv: string[], extra: NodeJS.ProcessEnv = {}): StartUpCommand => ({ label, argv, env: extra });
  const rows = (suffix: string, extra: NodeJS.ProcessEnv): StartUpCommand[] => [
    node(`node -e 0${suffix}`, [process.execPath, '-e', '0'], extra),
    node(`tssh -V${suffix}`, [tsshBin, '-V'], extra),
    node(`tssh -V without the snapshot${suffix}`, [process.execPath, '--single-threaded-gc', path.join(path.dirname(tsshBin), 'tssh.mjs'), '-V'], extra),
  ];
  const withCaFile = env['NODE_EXTRA_CA_CERTS'] !== undefined;
  return [
    ...rows('', withCaFile ? { NODE_EXTRA_CA_CERTS: undefined } : {}),
    ...(withCaFile ? rows(' (NODE_EXTRA_CA_CERTS set)', {}) : []),
    { label: 'ssh -V', argv: [sshBin, '-V'] },
  ];
}

export async function startUpTable(commands: StartUpCommand[], runs: number, env: NodeJS.ProcessEnv, timesFile: string): Promise<string[]> {
  const results = commands.map((): Measurement[] => []);
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < commands.length; j++) {
      const k = (i + j) % commands.length;
      const commandEnv = { ...env, ...commands[k]!.env };
      for (const [name, value] of Object.entries(commandEnv)) if (value === undefined) delete commandEnv[name];
      results[k]!.push(await timeProcess(commands[k]!.argv, { redirect: '</dev/null 2>/dev/null' }, commandEnv, timesFile, 60_000));
    }
  }
  const med = (k: number, key: keyof Measurement): number => median(results[k]!.map((m) => m[key]));
  const lines = ['| start-up (÷: against the node -e 0 row above it) | wall s | ÷ node -e 0 wall | CPU s | ÷ node -e 0 CPU | peak RSS MiB |', '|---|---|---|---|---|---|'];
  let base = 0;
  commands.forEach((c, k) => {
    if (c.label.startsWith('node -e 0')) base = k;
    lines.push(`| \`${c.label}\` | ${med(k, 'wall').toFixed(3)} | ${(med(k, 'wall') / med(base, 'wall')).toFixed(2)} | ${med(k, 'cpu').toFixed(3)} | ${(med(k, 'cpu') / med(base, 'cpu')).toFixed(2)} | ${med(k, 'rssMb').toFixed(0)} |`);
  });
  return lines;
}
