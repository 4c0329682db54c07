import { test } from 'node:test';
import assert from 'node:assert/strict';
import { youngGenerationCollector } from '../../src/cli/reclaim.js';

test('a young-generation collector is available without --expose-gc, and the global scope stays clean', () => {
  const hadGlobalGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
  const collect = youngGenerationCollector();
  assert.equal(typeof collect, 'function');
  collect!();
  collect!();
  assert.equal(typeof (globalThis as { gc?: unknown }).gc === 'function', hadGlobalGc);
});
