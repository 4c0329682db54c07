import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transferCollector } from '../../src/cli/reclaim.js';

test('the young-generation collector works without --expose-gc and leaves the global scope alone', () => {
  const hadGlobalGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
  const collect = transferCollector();
  collect();
  collect();
  assert.equal(typeof (globalThis as { gc?: unknown }).gc === 'function', hadGlobalGc);
});
