import type { Migration, MigrationProvider } from 'kysely';
import type { ColumnTypes } from '../dialect.js';
import * as initial from './2026_11_22_0001_initial.js';
import * as securityEvents from './2026_11_22_1200_security_events.js';
import * as clientWebOrigins from './2026_11_30_0001_client_web_origins.js';
import * as tokenExchangeScoping from './2026_12_02_0200_token_exchange_scoping.js';
import * as familyClaims from './2026_12_02_0600_family_claims.js';
import * as signingKeyActivation from './2026_12_02_1200_signing_key_activation.js';
import * as dpopBinding from './2026_12_02_1400_dpop_binding.js';
import * as proofOfPossession from './2026_12_02_1410_proof_of_possession.js';
import * as clientTokensValidAfter from './2026_12_02_1300_client_tokens_valid_after.js';

interface DialectMigration {
  up(db: Parameters<Migration['up']>[0], types: ColumnTypes): Promise<void>;
  down?(db: Parameters<Migration['up']>[0], types: ColumnTypes): Promise<void>;
}

/** Every migration, in order. Names are date-prefixed; append, never edit. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '2026_11_22_0001_initial': initial,
  '2026_11_22_1200_security_events': securityEvents,
  '2026_11_30_0001_client_web_origins': clientWebOrigins,
  '2026_12_02_0200_token_exchange_scoping': tokenExchangeScoping,
  '2026_12_02_0600_family_claims': familyClaims,
  '2026_12_02_1200_signing_key_activation': signingKeyActivation,
  '2026_12_02_1400_dpop_binding': dpopBinding,
  '2026_12_02_1410_proof_of_possession': proofOfPossession,
  '2026_12_02_1300_client_tokens_valid_after': clientTokensValidAfter,
};

/** The names this build knows, in order. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS).sort();

/** Hands Kysely's migrator the static list, each bound to the dialect's column types. */
export function migrationProvider(types: ColumnTypes): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(MIGRATIONS)) {
        const down = m.down;
        out[name] = {
          up: (db) => m.up(db, types),
          ...(down ? { down: (db: Parameters<Migration['up']>[0]) => down(db, types) } : {}),
        };
      }
      return out;
    },
  };
}
