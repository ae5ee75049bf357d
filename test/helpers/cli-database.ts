import { writeFileSync } from 'node:fs';
import { loadConfigFile } from '../../src/config/load-config.js';
import { Refreshd } from '../../src/service/refreshd.js';
import type { TestDatabase } from './stores.js';

/**
 * Writes `config` to `configPath` and applies it to the database as the server does at start (migrate, create,
 * applyConfig), so CLI tests meet the same file-managed entries a running server would have left.
 */
export async function applyConfigAsServerDoes(db: TestDatabase, configPath: string, issuer: string, config: unknown): Promise<void> {
  writeFileSync(configPath, JSON.stringify(config));
  const store = db.open();
  try {
    await store.migrate();
    const refreshd = await Refreshd.create({ store, issuer, signingWorkers: 0 });
    await refreshd.applyConfig(loadConfigFile(configPath, refreshd.managementAudience));
    await refreshd.close();
  } finally {
    await store.close();
  }
}
