import { fileURLToPath } from 'node:url';
import type { TargetSpec } from '../scenarios.js';
import type { BenchAlg } from './bench-client.js';
import { REFRESHD_ISSUER } from './bench-client.js';
import { newWebhookSecret } from '../../src/events/standard-webhooks.js';
import { freePort, startProcess, type StartedProcess } from './children.js';
import { fetchSeedTokens, issueRefreshdTokens } from './seed-tokens.js';
import type { StoreKind } from './storage.js';

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));
/** dist/src/cli.js: the real server, as `npm start` runs it. */
const CLI = here('../../src/cli.js');

export interface TargetContext {
  databaseUrls: Partial<Record<StoreKind, string>>;
  configPath: string;
  logLevel: string;
  /** Extra node options for refreshd (e.g. --cpu-prof). */
  refreshdNodeOptions: string[];
}

/** Tokens for the public app, bound from the first to its key (token exchange's target_client_id and dpop_jkt). */
export interface DpopSeed {
  clientId: string;
  jkt: string;
}

export interface RunningTarget {
  process: StartedProcess;
  /** Processes serving the target (the token hook server), whose CPU is the target's, not other tenants'. */
  helperPids: number[];
  /** Refresh tokens nobody has presented yet, for the chained load with `alg` access tokens. */
  seed(alg: BenchAlg, count: number, dpop?: DpopSeed): Promise<string[]>;
}

/** The seed of a floor or the peer: tokens it mints in-process (GET /__seed), never DPoP-bound. */
function seedFrom(url: string): RunningTarget['seed'] {
  return async (_alg, n, dpop) => {
    if (dpop) throw new Error('this target has no DPoP-bound tokens');
    return fetchSeedTokens(url, n);
  };
}

function databaseUrl(ctx: TargetContext, store: StoreKind): string {
  const url = ctx.databaseUrls[store];
  if (!url) throw new Error(`no ${store} database prepared`);
  return url;
}

export async function startTarget(spec: TargetSpec, ctx: TargetContext): Promise<RunningTarget> {
  const port = await freePort();
  switch (spec.kind) {
    case 'refreshd': {
      const hook = spec.tokenHook
        ? await startProcess({ name: 'token hook', args: [here('../floors/token-hook-server.js')], port: await freePort(), readyPath: '/' })
        : null;
      const proc = await startProcess({
        name: `refreshd (${spec.store})`,
        nodeOptions: ctx.refreshdNodeOptions,
        args: [spec.cli ?? CLI, 'serve'],
        env: {
          REFRESHD_DATABASE_URL: databaseUrl(ctx, spec.store),
          REFRESHD_CONFIG: ctx.configPath,
          REFRESHD_ISSUER,
          LOG_LEVEL: ctx.logLevel,
          // The Management scenarios drive one token far past the default 1,000/s; the limit stays on (its
          // counting is part of the measured cost) but high enough never to refuse.
          REFRESHD_RATE_LIMIT_MANAGEMENT_PER_TOKEN: '1000000000',
          ...(hook ? { REFRESHD_TOKEN_HOOK_URL: `${hook.url}/hook`, REFRESHD_TOKEN_HOOK_SECRET: newWebhookSecret(), REFRESHD_TOKEN_HOOK_EVENTS: 'refresh' } : {}),
          ...spec.env,
        },
        port,
        readyPath: '/health/ready',
      }).catch(async (err: unknown) => {
        await hook?.stop();
        throw err;
      });
      const both: StartedProcess = hook
        ? {
            ...proc,
            async stop(graceMs) {
              await proc.stop(graceMs);
              await hook.stop(graceMs);
            },
          }
        : proc;
      return { process: both, helperPids: hook ? [hook.pid] : [], seed: (alg, n, dpop) => issueRefreshdTokens(proc.url, alg, n, dpop ? { dpop } : {}) };
    }
    case 'http-floor': {
      const proc = await startProcess({
        name: `floor (${spec.signer} ${spec.alg})`,
        args: [here('../floors/sign-floor.js')],
        env: { FLOOR_ALG: spec.alg, FLOOR_SIGNER: spec.signer },
        port,
        readyPath: '/__seed?n=0',
      });
      return { process: proc, helperPids: [], seed: seedFrom(proc.url) };
    }
    case 'rotation-floor': {
      const proc = await startProcess({
        name: `floor (${spec.store} one statement, ${spec.sign})`,
        args: [here('../floors/rotation-floor.js')],
        env: { DATABASE_URL: databaseUrl(ctx, spec.store), FLOOR_STORE: spec.store, FLOOR_SIGN: spec.sign },
        port,
        readyPath: '/__seed?n=0',
      });
      return { process: proc, helperPids: [], seed: seedFrom(proc.url) };
    }
    case 'fastify-floor': {
      const proc = await startProcess({ name: 'floor (Fastify GET)', args: [here('../floors/fastify-get-floor.js')], port, readyPath: '/' });
      return { process: proc, helperPids: [], seed: async () => [] };
    }
    case 'oidc-provider': {
      const proc = await startProcess({ name: 'oidc-provider', args: [here('../peers/oidc-provider-peer.js')], port, readyPath: '/__seed?n=0' });
      return { process: proc, helperPids: [], seed: seedFrom(proc.url) };
    }
  }
}
