/**
 * --timing in the CLI: a recorder for this run, and its report once the command ends (or fails), on
 * stderr or into the file given. Colour only on a terminal, and never with NO_COLOR set.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { TimelineRecorder } from '../timeline.js';
import type { TimingRequest } from './timing-option.js';
import { jsonReport, textReport, type Painter, type PhaseGroup } from './timing-report.js';

export interface CliTiming {
  timeline: TimelineRecorder;
  /** Writes the report. `error` is what ended the run, if anything did. */
  report(error?: string): void;
}

export function startTiming(request: TimingRequest, env: Readonly<Record<string, string | undefined>>): CliTiming {
  const timeline = new TimelineRecorder();
  // Time 0 is the process's start: what Node.js and loading tssh took comes first.
  timeline.since('start', 0, { node: process.version });
  return {
    timeline,
    report(error) {
      if (error !== undefined) timeline.mark('failed', { error: error.split('\n')[0]! });
      const entries = timeline.entries();
      const toTerminal = request.file === undefined && process.stderr.isTTY === true;
      const text =
        request.format === 'json'
          ? jsonReport(entries)
          : textReport(entries, { bars: toTerminal, ...(toTerminal && !('NO_COLOR' in env && env['NO_COLOR'] !== '') ? { paint: chalkPainter() } : {}) });
      write(request.file, text);
    },
  };
}

function write(file: string | undefined, text: string): void {
  if (file === undefined) {
    try {
      fs.writeSync(2, text);
    } catch {
      // stderr is gone (a -f copy whose parent has exited): nobody to tell
    }
    return;
  }
  try {
    fs.writeFileSync(file, text, { mode: 0o600 });
  } catch (err) {
    fs.writeSync(2, `tssh: cannot write timing to ${file}: ${(err as Error).message}\n`);
  }
}

/** chalk is loaded only when a coloured report is drawn. */
function chalkPainter(): Painter {
  const require = createRequire(import.meta.url);
  const { Chalk } = require('chalk') as typeof import('chalk');
  const chalk = new Chalk({ level: 1 });
  const colour: Record<PhaseGroup, (text: string) => string> = {
    local: chalk.gray,
    network: chalk.cyan,
    kex: chalk.magenta,
    auth: chalk.yellow,
    session: chalk.green,
    failed: chalk.red,
  };
  return (group, text) => colour[group](text);
}
