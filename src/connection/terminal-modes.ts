/**
 * Encoded terminal modes for a pty-req (RFC 4254 §8): opcode bytes followed by uint32 values, ending
 * with TTY_OP_END. Sent in the order OpenSSH sends them on Linux: output speed, input speed, the
 * control characters, then the input, local, output and control flags.
 */
import { SshWriter } from '../wire/writer.js';

/** Control characters by their termios names; a disabled character is sent as 255. */
export const TERMINAL_CHARACTERS = {
  VINTR: 1,
  VQUIT: 2,
  VERASE: 3,
  VKILL: 4,
  VEOF: 5,
  VEOL: 6,
  VEOL2: 7,
  VSTART: 8,
  VSTOP: 9,
  VSUSP: 10,
  VDSUSP: 11,
  VREPRINT: 12,
  VWERASE: 13,
  VLNEXT: 14,
  VFLUSH: 15,
  VSWTCH: 16,
  VSTATUS: 17,
  VDISCARD: 18,
} as const;

/** Boolean modes by their termios names. */
export const TERMINAL_FLAGS = {
  IGNPAR: 30,
  PARMRK: 31,
  INPCK: 32,
  ISTRIP: 33,
  INLCR: 34,
  IGNCR: 35,
  ICRNL: 36,
  IUCLC: 37,
  IXON: 38,
  IXANY: 39,
  IXOFF: 40,
  IMAXBEL: 41,
  IUTF8: 42, // RFC 8160
  ISIG: 50,
  ICANON: 51,
  XCASE: 52,
  ECHO: 53,
  ECHOE: 54,
  ECHOK: 55,
  ECHONL: 56,
  NOFLSH: 57,
  TOSTOP: 58,
  IEXTEN: 59,
  ECHOCTL: 60,
  ECHOKE: 61,
  PENDIN: 62,
  OPOST: 70,
  OLCUC: 71,
  ONLCR: 72,
  OCRNL: 73,
  ONOCR: 74,
  ONLRET: 75,
  CS7: 90,
  CS8: 91,
  PARENB: 92,
  PARODD: 93,
} as const;

export type TerminalCharacter = keyof typeof TERMINAL_CHARACTERS;
export type TerminalFlag = keyof typeof TERMINAL_FLAGS;

const TTY_OP_END = 0;
const TTY_OP_ISPEED = 128;
const TTY_OP_OSPEED = 129;
/** What a disabled control character is sent as. */
export const DISABLED_CHARACTER = 255;

/** The local terminal's settings, as far as they are known; absent entries are not sent. */
export interface TerminalModes {
  inputSpeed?: number;
  outputSpeed?: number;
  characters: Partial<Record<TerminalCharacter, number>>;
  flags: Partial<Record<TerminalFlag, boolean>>;
}

/** No modes at all: the server keeps its defaults (what ssh sends without a local terminal). */
export const NO_TERMINAL_MODES: TerminalModes = { characters: {}, flags: {} };

/** The encoded-modes string of a pty-req. */
export function encodeTerminalModes(modes: TerminalModes): Buffer {
  const w = new SshWriter();
  if (modes.outputSpeed !== undefined) w.byte(TTY_OP_OSPEED).uint32(modes.outputSpeed);
  if (modes.inputSpeed !== undefined) w.byte(TTY_OP_ISPEED).uint32(modes.inputSpeed);
  for (const [name, opcode] of Object.entries(TERMINAL_CHARACTERS)) {
    const value = modes.characters[name as TerminalCharacter];
    if (value !== undefined) w.byte(opcode).uint32(value);
  }
  for (const [name, opcode] of Object.entries(TERMINAL_FLAGS)) {
    const value = modes.flags[name as TerminalFlag];
    if (value !== undefined) w.byte(opcode).uint32(value ? 1 : 0);
  }
  w.byte(TTY_OP_END);
  return w.finish();
}
