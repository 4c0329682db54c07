import type { Prompter } from '../prompt.js';
import { timed, type Timeline } from '../timeline.js';
import type { AuthUserInterface } from './auth-inputs.js';

/**
 * --timing: every question put to the user becomes a 'prompt' span (its purpose only, never the text
 * or the answer), so the time a person takes is told apart from the time the network takes.
 */
export function withTimedPrompts(ui: AuthUserInterface, timeline: Timeline | undefined): AuthUserInterface {
  if (timeline === undefined) return ui;
  const inner = ui.prompter;
  const prompter: Prompter = {
    ask: (prompt, options) => timed(timeline, 'prompt', { purpose: options.purpose.kind }, () => inner.ask(prompt, options)),
    ...(inner.show ? { show: (text: string) => inner.show!(text) } : {}),
  };
  return { ...ui, prompter };
}
