/**
 * Settings given on the command line (or as a library's options), in order, and how they enter the
 * settings store before any ssh_config file is read: ssh.c's getopt loop, whose precedence rules
 * differ per flag (most take the first value, -c/-m/-C/-T/-q/-v/-N/... override, -i accumulates).
 */
import { TsshError } from '../errors.js';
import type { ConfigEvaluator } from '../config/evaluate.js';
import { storeForward, type AddressFamily } from '../config/forward-options.js';
import { jumpListProblem, parseJumpList, type ForwardSpec, type ForwardType } from '../config/forward-spec.js';
import type { SettingsStore } from '../config/store.js';
import { tildeExpand } from '../config/tokens.js';
import type { LogLevel } from '../log.js';

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

export type CommandLineSetting =
  | { kind: 'option'; text: string } // -o
  | { kind: 'user'; value: string } // -l, user@host, ssh://user@host
  | { kind: 'port'; value: number } // -p, ssh://host:port
  | { kind: 'identityFile'; path: string } // -i (as typed; ~ not expanded yet)
  | { kind: 'ciphers'; spec: string } // -c
  | { kind: 'macs'; spec: string } // -m
  | { kind: 'compression' } // -C
  | { kind: 'requestTty'; flag: 'T' | 't' }
  | { kind: 'quiet' } // -q
  | { kind: 'verbose' } // -v
  | { kind: 'stdinNull' } // -n
  | { kind: 'tag'; value: string } // -P (OpenSSH 9.4+)
  | { kind: 'sessionType'; value: 'none' | 'subsystem' } // -N, -s
  | { kind: 'escapeChar'; value: number | 'none' } // -e
  | { kind: 'controlMaster' } // -M (twice: ask)
  | { kind: 'controlPath'; value: string } // -S
  | ForwardFlagSetting; // -L -R -D -W -J -A -a -f -g -4 -6 -b 

/** Set when User came from -l, user@host or ssh://user@ (not -o User): ssh expands only the latter. */
export const USER_FROM_COMMAND_LINE_KEY = 'User.commandLine';

/** The store key -W's destination is kept under (resolve-forward.ts reads it). */
export const STDIO_FORWARD_KEY = 'StdioForward';

const LOG_LEVEL_ORDER: readonly LogLevel[] = ['QUIET', 'FATAL', 'ERROR', 'INFO', 'VERBOSE', 'DEBUG1', 'DEBUG2', 'DEBUG3'];

/** What replaying needs from the resolver: `~` expansion and the -i file check. */
export interface ReplayEnvironment {
  home: string;
  lookupHome?: (user: string) => string | undefined;
  identityAccessError: (path: string) => string | undefined;
  warn?: (message: string) => void;
}

/** Applies the option flags in argv order with ssh's precedence rules. */
export function replayCommandLine(
  settings: readonly CommandLineSetting[],
  store: SettingsStore,
  evaluator: ConfigEvaluator,
  environment: ReplayEnvironment,
): void {
  let verbose = false;
  for (const setting of settings) {
    switch (setting.kind) {
      case 'option':
        evaluator.applyCommandLineOption(setting.text);
        break;
      case 'user':
        if (store.setFirst('User', setting.value)) store.force(USER_FROM_COMMAND_LINE_KEY, true);
        break;
      case 'port':
        store.setFirst('Port', setting.value);
        break;
      case 'identityFile': {
        const path = tildeExpand(setting.path, environment.home, environment.lookupHome);
        const problem = environment.identityAccessError(path);
        if (problem !== undefined) environment.warn?.(`Warning: Identity file ${path} not accessible: ${problem}.`);
        else store.append('IdentityFile', [path], true);
        break;
      }
      case 'ciphers':
        store.force('Ciphers', setting.spec);
        break;
      case 'macs':
        store.force('MACs', setting.spec);
        break;
      case 'compression':
        store.force('Compression', 'yes');
        break;
      case 'requestTty':
        // -T always means no; each -t means yes, and yes again means force (-tt).
        if (setting.flag === 'T') store.force('RequestTTY', 'no');
        else store.force('RequestTTY', store.string('RequestTTY') === 'yes' ? 'force' : 'yes');
        break;
      case 'quiet':
        store.force('LogLevel', 'QUIET');
        break;
      case 'verbose': {
        // The first -v sets DEBUG1 whatever came before; later ones raise the level up to DEBUG3.
        const current = LOG_LEVEL_ORDER.indexOf((store.string('LogLevel') ?? 'INFO') as LogLevel);
        if (!verbose) store.force('LogLevel', 'DEBUG1');
        else if (current < LOG_LEVEL_ORDER.length - 1) store.force('LogLevel', LOG_LEVEL_ORDER[current + 1]!);
        verbose = true;
        break;
      }
      case 'stdinNull':
        store.force('StdinNull', true);
        break;
      case 'tag':
        store.setFirst('Tag', setting.value);
        break;
      case 'sessionType': {
        // -N and -s exclude each other (and a different -o SessionType before them).
        const current = store.string('SessionType');
        if (current !== undefined && current !== setting.value)
          throw new TsshError('CONFIG', setting.value === 'none' ? 'Cannot specify -N with -s/SessionType' : 'Cannot specify -s with -N/SessionType');
        store.force('SessionType', setting.value);
        if (setting.value === 'none') store.force('RequestTTY', 'no');
        break;
      }
      case 'escapeChar':
        store.force('EscapeChar', setting.value);
        break;
      case 'controlMaster':
        store.force('ControlMaster', store.string('ControlMaster') === 'yes' ? 'ask' : 'yes');
        break;
      case 'controlPath':
        store.force('ControlPath', setting.value);
        break;
      default:
        replayForwardFlag(setting, store); // -L -R -D -W -J -A -a -f -g -4 -6 -b
    }
  }
}

/**
 * Replays one flag into the store, in argv order, as ssh.c's getopt loop sets its options. Settings of
 * other kinds are ignored (false).
 */
function replayForwardFlag(setting: { kind: string }, store: SettingsStore): boolean {
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
      const problem = jumpListProblem(flag.value);
      if (problem !== undefined) throw new TsshError('CONFIG', `${problem}\nInvalid -J argument`);
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
