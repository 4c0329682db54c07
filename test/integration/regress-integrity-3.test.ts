/** OpenSSH's integrity regress script with tssh as the client, shard 3 of 4 (see test/support/regress.ts). */
import { shardedRegressSuite } from '../support/regress.js';

shardedRegressSuite('integrity', 2);
