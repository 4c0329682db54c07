/**
 * The forwarding and route flags of ssh(1): -L -R -D -W -J -A -a -X -x -Y -f -g -4 -6 -b. args.ts hands them
 * here while scanning argv (bad specifications fail at once, with ssh's words), and resolve.ts replays
 * them into the settings store with ssh's precedence (these flags override, except -J and forwards).
 */
import { TsshError } from '../errors.js';
import { parseForwardSpec, parseJumpList, parseRemoteForwardSpec, parseStdioForward, type ForwardSpec, type ForwardType } from '../config/forward-spec.js';
import { storeForward, type AddressFamily } from '../config/forward-options.js';
import type { SettingsStore } from '../config/store.js';

export type ForwardFlagSetting =
  | { kind: 'forward'; type: ForwardType; spec: ForwardSpec } // -L -R -D
  | { kind: 'stdioForward'; host: string; port: number } // -W
  | { kind: 'jump'; value: string } // -J
  | { kind: 'forwardAgent'; value: boolean } // -A / -a
  | { kind: 'forwardX11'; value: boolean; trusted: boolean } // -X / -x / -Y (trusted)
  | { kind: 'fork' } // -f
  | { kind: 'gatewayPorts' } // -g
  | { kind: 'addressFamily'; value: AddressFamily } // -4 / -6
  | { kind: 'bindAddress'; value: string }; // -b

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

/** The store key -W's destination is kept under (resolve-forward.ts reads it). */
export const STDIO_FORWARD_KEY = 'StdioForward';

/**
 * Replays one flag into the store, in argv order, as ssh.c's getopt loop sets its options. Settings of
 * other kinds are ignored (false).
 */
export function replayForwardFlag(setting: { kind: string }, store: SettingsStore): boolean {
  const flag = setting as ForwardFlagSetting;
  switch (flag.kind) {
    case 'forward':
      storeForward(store, flag.type, flag.spec);
      return true;
    case 'stdioForward':
      store.force(STDIO_FORWARD_KEY, [flag.host, String(flag.port)]);
      // -W implies -N -T (set as ssh sets them: whatever came before).
      store.force('RequestTTY', 'no');
      store.force('SessionType', 'none');
      return true;
    case 'jump': {
      if (store.has('ProxyJump')) throw new TsshError('CONFIG', 'Only a single -J option is permitted (use commas to separate multiple jump hops)');
      if (store.has('ProxyCommand')) throw new TsshError('CONFIG', 'Cannot specify -J with ProxyCommand');
      if (parseJumpList(flag.value) === undefined) throw new TsshError('CONFIG', 'Invalid -J argument');
      store.force('ProxyJump', flag.value);
      return true;
    }
    case 'forwardAgent':
      store.force('ForwardAgent', flag.value);
      return true;
    case 'forwardX11':
      store.force('ForwardX11', flag.value);
      if (flag.trusted) store.force('ForwardX11Trusted', true);
      return true;
    case 'fork':
      store.force('ForkAfterAuthentication', true);
      return true;
    case 'gatewayPorts':
      store.force('GatewayPorts', true);
      return true;
    case 'addressFamily':
      store.force('AddressFamily', flag.value);
      return true;
    case 'bindAddress':
      store.force('BindAddress', flag.value);
      return true;
    default:
      return false;
  }
}
