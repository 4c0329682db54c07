/**
 * The local X display named by $DISPLAY, read as ssh's x11_connect_display does: `:N`, `unix:N` and
 * `::N` are the Unix socket /tmp/.X11-unix/XN; `host:N` is TCP port 6000+N on host. `.S` selects
 * the screen, which the server is told about in x11-req.
 */

/** Characters ssh accepts in $DISPLAY besides letters and digits (anything else could reach a shell). */
const VALID_DISPLAY = /^[A-Za-z0-9:/._-]*$/;
const X11_BASE_PORT = 6000;

export type DisplayEndpoint = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** False for a $DISPLAY ssh refuses to use: "DISPLAY ... invalid; disabling X11 forwarding". */
export function isValidDisplay(display: string): boolean {
  return VALID_DISPLAY.test(display);
}

/** The screen number after the display's `.`, 0 when absent or not a number in 0..400 (as ssh). */
export function screenNumber(display: string): number {
  const colon = display.indexOf(':');
  if (colon < 0) return 0;
  const dot = display.indexOf('.', colon);
  if (dot < 0) return 0;
  const text = display.slice(dot + 1);
  if (!/^\d+$/.test(text)) return 0;
  const screen = Number(text);
  return screen <= 400 ? screen : 0;
}

/** Where to connect for $DISPLAY, or ssh's error words when it cannot be read. */
export function displayEndpoint(display: string): DisplayEndpoint | { error: string } {
  if (display.startsWith('unix:') || display.startsWith(':')) {
    const number = leadingNumber(display.slice(display.lastIndexOf(':') + 1));
    if (number === undefined) return { error: `Could not parse display number from DISPLAY: ${display}` };
    return { kind: 'unix', path: `/tmp/.X11-unix/X${number}` };
  }
  const colon = display.indexOf(':');
  if (colon < 0) return { error: `Could not find ':' in DISPLAY: ${display}` };
  const number = leadingNumber(display.slice(colon + 1));
  if (number === undefined || number > 0xffff - X11_BASE_PORT) return { error: `Could not parse display number from DISPLAY: ${display}` };
  return { kind: 'tcp', host: display.slice(0, colon), port: X11_BASE_PORT + number };
}

/** sscanf("%u"): the digits at the start, if any. */
function leadingNumber(text: string): number | undefined {
  const digits = /^\d+/.exec(text)?.[0];
  return digits === undefined ? undefined : Number(digits);
}
