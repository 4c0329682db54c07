/** Every hostile-server scenario (see scenario.ts for their shape). */
import { HANDSHAKE_SCENARIOS } from './scenarios-handshake.js';
import { SESSION_SCENARIOS } from './scenarios-session.js';
import type { Scenario } from './scenario.js';

export const SCENARIOS: readonly Scenario[] = [...HANDSHAKE_SCENARIOS, ...SESSION_SCENARIOS];
