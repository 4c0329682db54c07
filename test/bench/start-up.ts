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

/** The commands compared; `tsshBin` is bin/tssh, whose bin/tssh.mjs beside it is the start without the snapshot. */
export function startUpCommands(tsshBin: string, sshBin: string): StartUpCommand[] {
  return [
    { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    { label: 'tssh -V', argv: [tsshBin, '-V'] },
    { label: 'tssh -V without the snapshot', argv: [process.execPath, '--single-threaded-gc', path.join(path.dirname(tsshBin), 'tssh.mjs'), '-V'] },
    { label: 'ssh -V', argv: [sshBin, '-V'] },
  ];
}

export async function startUpTable(commands: StartUpCommand[], runs: number, env: NodeJS.ProcessEnv, timesFile: string): Promise<string[]> {
  const results = commands.map((): Measurement[] => []);
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < commands.length; j++) {
      const k = (i + j) % commands.length;
      results[k]!.push(await timeProcess(commands[k]!.argv, { redirect: '</dev/null 2>/dev/null' }, { ...env, ...commands[k]!.env }, timesFile, 60_000));
    }
  }
  const med = (k: number, key: keyof Measurement): number => median(results[k]!.map((m) => m[key]));
  const lines = ['| start-up | wall s | ÷ node -e 0 wall | CPU s | ÷ node -e 0 CPU | peak RSS MiB |', '|---|---|---|---|---|---|'];
  commands.forEach((c, k) => {
    lines.push(`| \`${c.label}\` | ${med(k, 'wall').toFixed(3)} | ${(med(k, 'wall') / med(0, 'wall')).toFixed(2)} | ${med(k, 'cpu').toFixed(3)} | ${(med(k, 'cpu') / med(0, 'cpu')).toFixed(2)} | ${med(k, 'rssMb').toFixed(0)} |`);
  });
  return lines;
}
