import { STORES } from '../helpers/stores.js';
import { hostileManagementSuite } from './fuzz-management-suite.js';

// Hostile input on the Management API, PostgreSQL (fuzz-management-suite.ts).
if (STORES.includes('postgres')) hostileManagementSuite('postgres');
