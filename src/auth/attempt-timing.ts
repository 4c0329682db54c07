import type { Timeline, TimelineDetail } from '../timeline.js';
import type { AuthResult } from './conversation.js';

/** What the server answered, in the words `--timing` shows. */
function resultWord(result: AuthResult | undefined): string {
  if (result === undefined) return 'not sent';
  if (result.kind === 'success') return 'success';
  return result.partial ? 'partial success' : 'failure';
}

/** Runs one authentication attempt as a 'userauth' span that records the server's answer. */
export async function timedAttempt(
  timeline: Timeline | undefined,
  detail: TimelineDetail,
  attempt: () => Promise<AuthResult | undefined>,
): Promise<AuthResult | undefined> {
  if (timeline === undefined) return attempt();
  const span = timeline.begin('userauth', detail);
  try {
    const result = await attempt();
    span.end({ result: resultWord(result) }, result?.kind === 'failure' ? 'failed' : 'ok');
    return result;
  } catch (err) {
    span.end({ result: 'error' }, 'failed');
    throw err;
  }
}
