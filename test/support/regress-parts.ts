/**
 * A regress script too long for one test (rekey.sh sleeps 108 s on its own: every time-based subtest
 * waits 15-21 s) run as parts at the same time, each in its own copy of the regress directory. The
 * script is cut at its top-level blank lines into blocks; a block with a `verbose "..."` line is a
 * subtest, every other block (setup, helpers, clean-up) goes into every part. Each part claims the
 * subtests whose verbose text matches its pattern, and one part (pattern undefined) takes the rest,
 * so every subtest of the installed script runs exactly once. A part that claims nothing fails: the
 * script changed and the split must be looked at again.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { copyRegress, removeRegressCopy, REGRESS_SKIP, REGRESS_TEST_TIMEOUT_MS, runAndCheck, type RegressCopy } from './regress.js';

export interface RegressPart {
  /** Test name suffix. */
  name: string;
  /** The subtests (by their verbose text) this part runs; undefined for "all the others". */
  subtests: RegExp | undefined;
}

/** How a script is cut beyond its verbose subtests. */
export interface SplitOptions {
  /**
   * Top-level lines that are the subtests instead of the verbose blocks, named by their own text:
   * forward-control.sh runs its whole table as `lperm_tests yes Y Y N ...` lines with no blank line
   * between them, and its verbose lines sit in helper functions, which every part needs.
   */
  calls?: RegExp;
  /** Rewrites a part's script (e.g. fixed ports, so parts running at once do not collide). */
  perPart?: (script: string, index: number) => string;
}

const VERBOSE = /^\s*verbose\s+"([^"]*)"/m;

/** The subtest a block is, by its verbose text or (a call line) its own text; undefined for setup. */
function subtestName(block: string, calls: RegExp | undefined): string | undefined {
  if (calls !== undefined) return calls.test(block) ? block : undefined;
  return VERBOSE.exec(block)?.[1];
}

/** A block made only of call lines (and comments) becomes one block per call. */
function splitCalls(block: string, calls: RegExp | undefined): string[] {
  if (calls === undefined) return [block];
  const lines = block.split('\n').filter((line) => !/^\s*(#.*)?$/.test(line));
  return lines.length > 0 && lines.every((line) => calls.test(line)) ? lines : [block];
}

/** The script's blocks for each part, in the script's order. Exported for its unit test. */
export function splitScript(script: string, parts: readonly RegressPart[], options: SplitOptions = {}): string[] {
  const blocks = topLevelBlocks(script).flatMap((block) => splitCalls(block, options.calls));
  const rest = parts.filter((p) => p.subtests === undefined);
  assert.equal(rest.length, 1, 'exactly one part takes the remaining subtests');
  const owner = blocks.map((block) => {
    const verbose = subtestName(block, options.calls);
    if (verbose === undefined) return undefined; // setup: every part
    const claims = parts.filter((p) => p.subtests?.test(verbose));
    assert.ok(claims.length <= 1, `subtest "${verbose}" claimed by ${claims.map((p) => p.name).join(' and ')}`);
    return claims[0] ?? rest[0];
  });
  return parts.map((part, index) => {
    assert.ok(owner.includes(part), `no subtest of the script matches part ${part.name}`);
    const text = blocks.filter((_, i) => owner[i] === undefined || owner[i] === part).join('\n\n');
    return options.perPart ? options.perPart(text, index) : text;
  });
}

/** The script cut at blank lines that are outside any loop, `if` or function (sh -n accepts what precedes). */
function topLevelBlocks(script: string): string[] {
  const blocks: string[] = [];
  let current = '';
  for (const piece of script.split(/\n[ \t]*\n/)) {
    current = current === '' ? piece : `${current}\n\n${piece}`;
    if (spawnSync('sh', ['-n'], { input: current }).status === 0) {
      blocks.push(current);
      current = '';
    }
  }
  assert.equal(current, '', 'the script ends inside a block');
  return blocks;
}

/** Registers one test per part of regress script `script`; the parts run at the same time. */
export function regressParts(script: string, parts: readonly RegressPart[], options: SplitOptions = {}): void {
  describe(`OpenSSH regress: ${script}`, { concurrency: parts.length }, () => {
    const copies: RegressCopy[] = [];
    after(() => copies.forEach(removeRegressCopy));
    parts.forEach((part, index) => {
      it(part.name, { skip: REGRESS_SKIP, timeout: REGRESS_TEST_TIMEOUT_MS }, async (t) => {
        const copy = copyRegress();
        copies.push(copy);
        const dir = path.join(copy.work, 'regress');
        const pieces = splitScript(readFileSync(path.join(dir, `${script}.sh`), 'utf8'), parts, options);
        const name = `${script}-part${index + 1}`;
        writeFileSync(path.join(dir, `${name}.sh`), pieces[index]!);
        // A blank line inside a loop would have cut it in two: the part must still be valid shell.
        const syntax = spawnSync('sh', ['-n', path.join(dir, `${name}.sh`)], { encoding: 'utf8' });
        assert.equal(syntax.status, 0, `${name}.sh: ${syntax.stderr}`);
        await runAndCheck(name, copy, t);
      });
    });
  });
}
