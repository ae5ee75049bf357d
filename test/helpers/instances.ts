import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureConfig } from './fixtures.js';
import { freePort, startProcess, type ServerProcess } from './process.js';

/** The issuer every instance of a test shares, so tokens minted by one are accepted by the others. */
export const SHARED_ISSUER = 'http://refreshd.test/';

/** A working directory holding the fixture configuration file, for real `refreshd serve` processes. */
export function fixtureDir(config: Record<string, unknown> = fixtureConfig()): { dir: string; configPath: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'refreshd-rel-'));
  const configPath = join(dir, 'refreshd.json');
  writeFileSync(configPath, JSON.stringify(config));
  return { dir, configPath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface InstanceOptions {
  dir: string;
  configPath: string;
  databaseUrl: string;
  port?: number;
  env?: Record<string, string>;
}

/** One `refreshd serve` process over `databaseUrl`, with the fixture clients and the shared issuer. */
export async function startInstance(options: InstanceOptions): Promise<ServerProcess & { port: number }> {
  const port = options.port ?? (await freePort());
  const server = await startProcess(
    options.dir,
    {
      REFRESHD_DATABASE_URL: options.databaseUrl,
      REFRESHD_CONFIG: options.configPath,
      REFRESHD_ISSUER: SHARED_ISSUER,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    port,
  );
  return Object.assign(server, { port });
}
