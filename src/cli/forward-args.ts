/**
 * The forwarding and route flags of ssh(1): -L -R -D -W -J -A -a -X -x -Y -f -g -4 -6 -b. args.ts hands them
 * here while scanning argv (bad specifications fail at once, with ssh's words); profile/overrides.ts
 * replays them into the settings store with ssh's precedence.
 */
import { TsshError } from '../errors.js';
import { parseForwardSpec, parseRemoteForwardSpec, parseStdioForward } from '../config/forward-spec.js';
import type { ForwardFlagSetting } from '../profile/overrides.js';

/** What applyForwardFlag needs from the parse in progress. */
export interface ForwardFlagTarget {
  /** The parse's CommandLineSetting list (which includes ForwardFlagSetting and `stdinNull`). */
  settings: Array<{ kind: string }>;
  stdinNull: boolean;
}

function bad(what: string, value: string): TsshError {
  return new TsshError('CONFIG', `Bad ${what} specification '${value}'`);
}

/** Handles one forwarding/route flag; false if `letter` is not one of them. Throws on a bad value. */
export function applyForwardFlag(letter: string, value: string, target: ForwardFlagTarget): boolean {
  const push = (setting: ForwardFlagSetting): true => (target.settings.push(setting), true);
  switch (letter) {
    case 'L': {
      const spec = parseForwardSpec(value, { dynamic: false, remote: false });
      if (spec === undefined) throw bad('local forwarding', value);
      return push({ kind: 'forward', type: 'local', spec });
    }
    case 'R': {
      const spec = parseRemoteForwardSpec(value);
      if (spec === undefined) throw bad('remote forwarding', value);
      return push({ kind: 'forward', type: 'remote', spec });
    }
    case 'D': {
      const spec = parseForwardSpec(value, { dynamic: true, remote: false });
      if (spec === undefined) throw bad('dynamic forwarding', value);
      return push({ kind: 'forward', type: 'dynamic', spec });
    }
    case 'W': {
      if (target.settings.some((s) => s.kind === 'stdioForward')) throw new TsshError('CONFIG', 'stdio forward already specified');
      const destination = parseStdioForward(value);
      if (destination === undefined) throw bad('stdio forwarding', value);
      return push({ kind: 'stdioForward', ...destination });
    }
    case 'J':
      return push({ kind: 'jump', value });
    case 'A':
    case 'a':
      return push({ kind: 'forwardAgent', value: letter === 'A' });
    case 'X':
    case 'x':
    case 'Y':
      return push({ kind: 'forwardX11', value: letter !== 'x', trusted: letter === 'Y' });
    case 'f':
      target.stdinNull = true; // -f implies -n
      target.settings.push({ kind: 'stdinNull' });
      return push({ kind: 'fork' });
    case 'g':
      return push({ kind: 'gatewayPorts' });
    case '4':
    case '6':
      return push({ kind: 'addressFamily', value: letter === '4' ? 'inet' : 'inet6' });
    case 'b':
      return push({ kind: 'bindAddress', value });
    default:
      return false;
  }
}

