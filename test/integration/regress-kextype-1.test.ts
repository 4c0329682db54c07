/** OpenSSH's kextype regress script with tssh as the client, shard 1 of 2 (see test/support/regress.ts). */
import { shardedRegressSuite } from '../support/regress.js';

shardedRegressSuite('kextype', 0);
