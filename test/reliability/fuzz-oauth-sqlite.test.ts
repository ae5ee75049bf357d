import { STORES } from '../helpers/stores.js';
import { hostileOAuthSuite } from './fuzz-oauth-suite.js';

// Hostile input on the OAuth, discovery and health endpoints, SQLite (fuzz-oauth-suite.ts).
if (STORES.includes('sqlite')) hostileOAuthSuite('sqlite');
