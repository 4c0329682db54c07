/** OpenSSH's try-ciphers regress script with tssh as the client, shard 1 of 3 (see test/support/regress.ts). */
import { shardedRegressSuite } from '../support/regress.js';

shardedRegressSuite('try-ciphers', 0);
