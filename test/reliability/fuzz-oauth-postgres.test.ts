import { STORES } from '../helpers/stores.js';
import { hostileOAuthSuite } from './fuzz-oauth-suite.js';

// Hostile input on the OAuth, discovery and health endpoints, PostgreSQL (fuzz-oauth-suite.ts).
if (STORES.includes('postgres')) hostileOAuthSuite('postgres');
