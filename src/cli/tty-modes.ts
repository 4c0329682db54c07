/**
 * The local terminal's modes for a pty-req. Node gives no access to termios, so they are read from
 * `stty -a` (GNU and BSD print the same words) and mapped to the RFC 4254 §8 names OpenSSH sends.
 */
import { DISABLED_CHARACTER, type TerminalCharacter, type TerminalFlag, type TerminalModes } from '../connection/terminal-modes.js';

/** stty's names for the control characters OpenSSH sends (`swtch` is Linux's VSWTC, which it does not). */
const CHARACTER_NAMES: Readonly<Record<string, TerminalCharacter>> = {
  intr: 'VINTR',
  quit: 'VQUIT',
  erase: 'VERASE',
  kill: 'VKILL',
  eof: 'VEOF',
  eol: 'VEOL',
  eol2: 'VEOL2',
  start: 'VSTART',
  stop: 'VSTOP',
  susp: 'VSUSP',
  dsusp: 'VDSUSP',
  rprnt: 'VREPRINT',
  reprint: 'VREPRINT',
  werase: 'VWERASE',
  lnext: 'VLNEXT',
  discard: 'VDISCARD',
  status: 'VSTATUS',
};

const FLAG_NAMES: readonly TerminalFlag[] = [
  'IGNPAR', 'PARMRK', 'INPCK', 'ISTRIP', 'INLCR', 'IGNCR', 'ICRNL', 'IUCLC', 'IXON', 'IXANY', 'IXOFF', 'IMAXBEL',
  'IUTF8', 'ISIG', 'ICANON', 'XCASE', 'ECHO', 'ECHOE', 'ECHOK', 'ECHONL', 'NOFLSH', 'TOSTOP', 'IEXTEN', 'ECHOCTL',
  'ECHOKE', 'PENDIN', 'OPOST', 'OLCUC', 'ONLCR', 'OCRNL', 'ONOCR', 'ONLRET', 'PARENB', 'PARODD',
];

/** A Linux console's defaults (what `stty sane` gives, UTF-8): used when stty cannot be run. */
export const DEFAULT_TERMINAL_MODES: TerminalModes = {
  inputSpeed: 38400,
  outputSpeed: 38400,
  characters: {
    VINTR: 3, VQUIT: 28, VERASE: 127, VKILL: 21, VEOF: 4, VEOL: DISABLED_CHARACTER, VEOL2: DISABLED_CHARACTER,
    VSTART: 17, VSTOP: 19, VSUSP: 26, VREPRINT: 18, VWERASE: 23, VLNEXT: 22, VDISCARD: 15,
  },
  flags: {
    IGNPAR: false, PARMRK: false, INPCK: false, ISTRIP: false, INLCR: false, IGNCR: false, ICRNL: true, IUCLC: false,
    IXON: true, IXANY: false, IXOFF: false, IMAXBEL: false, IUTF8: true, ISIG: true, ICANON: true, XCASE: false,
    ECHO: true, ECHOE: true, ECHOK: true, ECHONL: false, NOFLSH: false, TOSTOP: false, IEXTEN: true, ECHOCTL: true,
    ECHOKE: true, PENDIN: false, OPOST: true, OLCUC: false, ONLCR: true, OCRNL: false, ONOCR: false, ONLRET: false,
    CS7: true, CS8: true, PARENB: false, PARODD: false,
  },
};

/**
 * Reads `stty -a` output. Flags stty does not print (Linux omits pendin) keep their default, so the
 * server always gets the full set OpenSSH sends. Returns undefined if the text is not stty's.
 */
export function parseSttyAll(text: string): TerminalModes | undefined {
  const speed = /speed (\d+) baud/.exec(text);
  if (speed === null) return undefined;
  const baud = Number(speed[1]);
  const characters: TerminalModes['characters'] = {};
  for (const [, name, value] of text.matchAll(/(?:^|[\s;])([a-z0-9]+) = ([^;\n]+?);/g)) {
    const character = CHARACTER_NAMES[name!];
    const code = character === undefined ? undefined : decodeCharacter(value!);
    if (character !== undefined && code !== undefined) characters[character] = code;
  }
  const words = new Set(text.split(/[\s;]+/));
  const flags: TerminalModes['flags'] = { ...DEFAULT_TERMINAL_MODES.flags };
  for (const flag of FLAG_NAMES) {
    const word = flag.toLowerCase();
    if (words.has(word)) flags[flag] = true;
    else if (words.has(`-${word}`)) flags[flag] = false;
  }
  // OpenSSH tests CS7 and CS8 as bit masks, so cs8 sends both as set (and so does cs7).
  const size = ['cs5', 'cs6', 'cs7', 'cs8'].findIndex((word) => words.has(word)) + 5;
  if (size >= 5) {
    flags.CS7 = size >= 7;
    flags.CS8 = size >= 6;
  }
  return { inputSpeed: baud, outputSpeed: baud, characters, flags };
}

/** `^C` → 3, `^?` → 127, `<undef>` → 255, `M-a` → 225, `a` → 97. */
export function decodeCharacter(text: string): number | undefined {
  if (text === '<undef>' || text === 'undef') return DISABLED_CHARACTER;
  if (text.startsWith('M-')) {
    const low = decodeCharacter(text.slice(2));
    return low === undefined || low === DISABLED_CHARACTER ? undefined : low | 0x80;
  }
  if (text === '^?') return 127;
  if (text.length === 2 && text[0] === '^') return text.charCodeAt(1) & 31;
  if (text.length === 1) return text.charCodeAt(0);
  return undefined;
}

/** `stty` arguments for OpenSSH's raw mode (sshtty.c enter_raw_mode): no echo, no signals, no output processing. */
export function rawModeArguments(platform: NodeJS.Platform): string[] {
  return [
    'ignpar', '-istrip', '-inlcr', '-igncr', '-icrnl', '-ixon', '-ixany', '-ixoff',
    ...(platform === 'linux' ? ['-iuclc'] : []),
    '-isig', '-icanon', '-echo', '-echoe', '-echok', '-echonl', '-iexten', '-opost', 'min', '1', 'time', '0',
  ];
}
