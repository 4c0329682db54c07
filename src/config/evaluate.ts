/**
 * Evaluates config files for one destination: Host and Match decide which lines apply, Include pulls in
 * more files, and each applying line stores its value (first obtained value wins). Mirrors OpenSSH's
 * readconf.c: every line is checked even where it does not apply, bad lines are counted and the file
 * is rejected at its end (`<file>: terminating, N bad configuration options`).
 *
 * File access is injected (ConfigFileSystem) so this module reads no global state.
 */
import { TsshError } from '../errors.js';
import { lookupKeyword } from './keywords.js';
import { parseConfigLine, parseConfigText, type ConfigLine } from './parser.js';
import { evaluateMatch, matchHost, matchTokens, type MatchExecContext, type MatchSubject } from './match.js';
import { ExpansionError, percentDollarExpand } from './tokens.js';
import { expandInclude, type DirectoryLister } from './include.js';
import { matchPattern, matchPatternList } from '../text/patterns.js';
import type { SettingsStore } from './store.js';
import { parseSetting } from './values.js';
import { COMMAND_LINE, DirectiveError, at, type Where } from './scalars.js';
import type { ConfigLog } from '../log.js';

export type FileReadResult =
  | { ok: true; text: string; uid: number; mode: number }
  | { ok: false; code: string; message: string };

export interface ConfigFileSystem extends DirectoryLister {
  /** Reads a config file with its owner and permission bits; `message` is strerror() text. */
  read(path: string): FileReadResult;
}


export interface EvaluatorEnvironment {
  fs: ConfigFileSystem;
  /** Home directory: `~` in Include, and the base of relative Includes in user files (~/.ssh). */
  home: string;
  /** The local uid, for the owner check on files that must not be writable by others. */
  uid: number;
  /** Base of relative Includes in the system file (OpenSSH: /etc/ssh). */
  systemConfigDir: string;
  log: ConfigLog;
  /** Runs `Match exec` commands; without it a Match exec line is an error. */
  matchExec?: MatchExecContext;
}

export interface ReadFlags {
  /** A user file (~/.ssh/config or -F): relative Includes resolve against ~/.ssh and `~` is allowed. */
  userConfig: boolean;
  /** Reject the file if it is writable by others or owned by someone else. */
  checkPermissions: boolean;
}

/** OpenSSH's READCONF_MAX_DEPTH. */
const MAX_INCLUDE_DEPTH = 16;

interface FileState {
  active: boolean;
  neverMatch: boolean;
  flags: ReadFlags;
  depth: number;
}

export class ConfigEvaluator {
  /** Set when a `Match final` line was seen: the caller should evaluate the files again as the final pass. */
  wantFinalPass = false;
  /** Messages of bad lines so far; a rejected file's error carries them all. */
  private readonly errorLines: string[] = [];

  constructor(
    private readonly store: SettingsStore,
    private readonly env: EvaluatorEnvironment,
    private readonly subject: MatchSubject,
  ) {}

  /**
   * Applies one `-o` option. Host, Match and Include are not allowed there; an error is fatal at once.
   */
  applyCommandLineOption(text: string): void {
    const line = parseConfigLine(text, COMMAND_LINE, 0);
    if (line === undefined) return;
    const state: FileState = {
      active: true,
      neverMatch: false,
      flags: { userConfig: true, checkPermissions: false },
      depth: 0,
    };
    try {
      if (!this.processLine(line, state, true)) throw new TsshError('CONFIG', this.errorLines.join('\n'));
    } finally {
      this.errorLines.length = 0;
    }
  }

  /**
   * Reads and evaluates a file. Returns 'missing' if it does not exist, or the strerror() text if it
   * cannot be opened (callers decide whether that matters). Throws a TsshError('CONFIG') for bad
   * lines or bad permissions.
   */
  readFile(
    path: string,
    flags: ReadFlags,
    depth = 0,
    state?: { active: boolean; neverMatch: boolean },
  ): 'read' | 'missing' | { error: string } {
    if (depth > MAX_INCLUDE_DEPTH) throw new TsshError('CONFIG', 'Too many recursive configuration includes');
    const result = this.env.fs.read(path);
    if (!result.ok) {
      if (result.code === 'EISDIR') return 'read'; // fopen() succeeds on a directory; reading yields nothing
      return result.code === 'ENOENT' ? 'missing' : { error: result.message };
    }
    if (flags.checkPermissions && ((result.uid !== 0 && result.uid !== this.env.uid) || (result.mode & 0o022) !== 0))
      throw new TsshError('CONFIG', `Bad owner or permissions on ${path}`);
    this.env.log('DEBUG1', `Reading configuration data ${path}`);
    const fileState: FileState = { active: state?.active ?? true, neverMatch: state?.neverMatch ?? false, flags, depth };
    let bad = 0;
    for (const line of parseConfigText(result.text, path)) if (!this.processLine(line, fileState, false)) bad++;
    if (bad > 0) {
      const lines = [...this.errorLines, `${path}: terminating, ${bad} bad configuration options`];
      throw new TsshError('CONFIG', lines.join('\n'));
    }
    return 'read';
  }

  /** Processes one line; false if it is bad (its messages are in errorLines). */
  private processLine(line: ConfigLine, state: FileState, commandLine: boolean): boolean {
    try {
      this.processLineOrThrow(line, state, commandLine);
      return true;
    } catch (err) {
      if (err instanceof DirectiveError) {
        this.errorLines.push(...err.lines);
        return false;
      }
      // A fatal line ends ssh at once, after the messages of the bad lines before it.
      if (err instanceof TsshError && this.errorLines.length > 0) {
        const lines = this.errorLines.splice(0);
        throw new TsshError(err.code, [...lines, err.message].join('\n'));
      }
      throw err;
    }
  }

  private processLineOrThrow(line: ConfigLine, state: FileState, commandLine: boolean): void {
    const where = { file: line.file, line: line.line };
    if (line.missingArgument) throw new DirectiveError([`${at(where)}: no argument after keyword "${line.keyword}"`]);
    const spec = lookupKeyword(line.keyword);
    if (spec === undefined) {
      const ignored = this.store.string('IgnoreUnknown');
      if (ignored === undefined || matchPatternList(line.keyword, ignored, true) !== 1)
        throw new DirectiveError([`${line.file}: line ${line.line}: Bad configuration option: ${line.keyword}`]);
      if (line.args === undefined) throw new DirectiveError([`${at(where)}: invalid quotes`]);
      this.env.log('DEBUG1', `${at(where)}: Ignored unknown option "${line.keyword}"`);
      return;
    }
    const args = line.args;
    if (args === undefined) throw new DirectiveError([`${at(where)}: invalid quotes`]);
    switch (spec.kind) {
      case 'host':
        if (commandLine) throw new DirectiveError(['Host directive not supported as a command-line option']);
        this.processHost(line.keyword, args, where, state);
        return;
      case 'match':
        // OpenSSH's message says "Host" here too.
        if (commandLine) throw new DirectiveError(['Host directive not supported as a command-line option']);
        this.processMatch(args, where, state);
        return;
      case 'include':
        if (commandLine) throw new DirectiveError(['Include directive not supported as a command-line option']);
        this.processInclude(line.keyword, args, where, state);
        return;
      case 'ignore':
        return;
      case 'deprecated':
        this.env.log('DEBUG1', `${at(where)}: Deprecated option "${line.keyword}"`);
        return;
      case 'unsupported':
        this.env.log('ERROR', `${at(where)}: Unsupported option "${line.keyword}"`);
        return;
      case 'unimplemented':
        if (state.active) {
          this.env.log('DEBUG1', `${at(where)}: ${spec.name} is not supported by tssh yet; ignored`);
          this.store.setFirst(`unimplemented:${spec.name}`, args);
        }
        return;
      default: {
        const rawLine = spec.kind === 'command' || spec.kind === 'proxyCommand' || spec.kind === 'proxyJump' || spec.kind === 'versionAddendum';
        const apply = parseSetting(spec, line.keyword, rawLine ? [line.rest] : args, where);
        if (state.active || spec.ignoresConditions === true) apply(this.store);
      }
    }
  }

  private processHost(keyword: string, patterns: string[], where: { file: string; line: number }, state: FileState): void {
    state.active = false;
    let applied: string | undefined;
    for (const raw of patterns) {
      if (raw === '') throw new DirectiveError([`${at(where)}: keyword ${keyword} empty argument`]);
      if (state.neverMatch) return;
      const negated = raw.startsWith('!');
      const pattern = negated ? raw.slice(1) : raw;
      if (!matchPattern(this.subject.host, pattern)) continue;
      if (negated) {
        this.env.log('DEBUG1', `${at(where)}: Skipping Host block because of negated match for ${pattern}`);
        state.active = false;
        return;
      }
      applied ??= pattern;
      state.active = true;
    }
    if (state.active) this.env.log('DEBUG1', `${at(where)}: Applying options for ${applied ?? ''}`);
  }

  private processMatch(args: string[], where: { file: string; line: number }, state: FileState): void {
    const outcome = evaluateMatch(args, this.subject, this.store, where, this.env.log, this.env.matchExec);
    if (outcome.wantFinalPass) this.wantFinalPass = true;
    state.active = state.neverMatch ? false : outcome.matched;
  }

  /**
   * An Include path with its %-tokens and ${VAR}s expanded (OpenSSH 10.x). An unset variable skips the
   * path with an error; a bad token is fatal, as in ssh.
   */
  private expandIncludePath(path: string, where: Where): string | undefined {
    const exec = this.env.matchExec;
    const tokens = matchTokens(matchHost(this.subject, this.store), this.subject, this.store, exec);
    try {
      return percentDollarExpand(path, tokens, exec?.env ?? {});
    } catch (err) {
      if (!(err instanceof ExpansionError) || err.missingVariables.length === 0) throw err;
      for (const name of err.missingVariables) this.env.log('ERROR', `vdollar_percent_expand: env var \${${name}} has no value`);
      this.env.log('ERROR', `${at(where)}: Unable to expand user config file '${path.slice(0, 100)}'`);
      return undefined;
    }
  }

  private processInclude(keyword: string, args: string[], where: { file: string; line: number }, state: FileState): void {
    for (const written of args) {
      if (written === '') throw new DirectiveError([`${at(where)}: keyword ${keyword} empty argument`]);
      const arg = this.expandIncludePath(written, where);
      if (arg === undefined) continue;
      if (arg.startsWith('~') && !state.flags.userConfig)
        throw new DirectiveError([`${at(where)}: bad include path ${arg}.`]);
      let pattern = arg;
      if (!arg.startsWith('/') && !arg.startsWith('~'))
        pattern = `${state.flags.userConfig ? '~/.ssh' : this.env.systemConfigDir}/${arg}`;
      const files = expandInclude(pattern, this.env.home, this.env.fs);
      if (files.length === 0) {
        this.env.log('DEBUG1', `${at(where)}: include ${pattern} matched no files`);
        continue;
      }
      const wasActive = state.active;
      for (const file of files) {
        this.env.log('DEBUG3', `${at(where)}: Including file ${file} depth ${state.depth}${wasActive ? '' : ' (parse only)'}`);
        const nested = { active: state.active, neverMatch: state.neverMatch || !wasActive };
        const outcome = this.readFile(file, { userConfig: state.flags.userConfig, checkPermissions: true }, state.depth + 1, nested);
        if (typeof outcome === 'object')
          throw new DirectiveError([`Can't open user config file ${file}: ${outcome.error}`]);
        // A Match inside an included file must not change the including file's state.
        state.active = wasActive;
      }
    }
  }
}
