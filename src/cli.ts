#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { gcPolicyOf, loadEnv, managementAudienceFor } from './config/env.js';
import { listSigningKeys, rotateSigningKey } from './admin/signing-keys.js';
import { systemClock } from './core/clock.js';
import { DEFAULT_KEY_ACTIVATION_DELAY_SECONDS, MAX_KEY_ACTIVATION_DELAY_SECONDS } from './core/key-rotation.js';
import { renderConfigReference } from './ops/config-reference.js';
import { collectGarbage } from './ops/gc.js';
import { EMPTY_CONFIG, loadConfigFile } from './config/load-config.js';
import { originProblem } from './config/origins.js';
import { ConfigError, ManagementError } from './core/errors.js';
import { createClient, deleteClient, rotateClientSecret } from './admin/clients.js';
import { createClientGrant } from './admin/client-grants.js';
import { ensureManagementApi } from './admin/management-api.js';
import { CLI_ACTOR, type AdminDeps } from './admin/deps.js';
import { FileManaged } from './admin/file-managed.js';
import { addApisCommand } from './cli/apis-command.js';
import { addGrantsCommand } from './cli/grants-command.js';
import type { StoredEvent } from './core/events.js';
import { refreshTokenProtectionProblem } from './core/refresh-token-protection.js';
import { newEventId } from './core/event-ids.js';
import { KNOWN_GRANT_TYPES, MANAGEMENT_SCOPES, SIGNING_ALGS, type SigningAlg, type TokenEndpointAuthMethod } from './core/types.js';
import { serve } from './main.js';
import { DEFAULT_REFRESH_TOKEN_SETTINGS } from './oauth/defaults.js';
import type { Store } from './ports/store.js';
import { openStore } from './store/open-store.js';
import { KeyRing } from './tokens/key-ring.js';

/** Opens the configured store with migrations applied, runs `fn`, and always closes it. */
async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const store = openStore(env.databaseUrl, { preparedStatements: env.pgPreparedStatements, keyCipher: env.keyCipher, onWarning: (message) => console.error(`refreshd: warning: ${message}`) });
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The configuration use cases (src/admin, shared with the Management API) over the configured store: what
 * REFRESHD_CONFIG declares stays the file's, and the `sapi` events they emit are stored when `fn` has succeeded.
 */
function withAdmin<T>(fn: (deps: AdminDeps) => Promise<T>): Promise<T> {
  return withStore(async (store) => {
    const env = loadEnv();
    const managementAudience = managementAudienceFor(env.issuer);
    const config = env.configPath ? loadConfigFile(env.configPath, managementAudience) : EMPTY_CONFIG;
    const events: StoredEvent[] = [];
    const deps: AdminDeps = {
      store,
      clock: systemClock,
      events: { emit: (event) => events.push({ ...event, logId: newEventId(event.date) }) },
      managementAudience,
      fileManaged: FileManaged.of(config),
      changed: () => {},
    };
    const result = await fn(deps);
    await store.insertEvents(events);
    return result;
  });
}

const program = new Command('refreshd')
  .description('Self-hosted refresh-token and session service, wire-compatible with Auth0.\nConfigured by environment: PORT, HOST, REFRESHD_DATABASE_URL, REFRESHD_ISSUER, REFRESHD_CONFIG, LOG_LEVEL.')
  .showHelpAfterError();

program
  .command('serve', { isDefault: true })
  .description('run the HTTP server (applies migrations and the configuration file first)')
  .action(async () => {
    await serve();
  });

program
  .command('migrate')
  .description('apply database migrations and exit')
  .action(() =>
    withStore(async (store) => {
      console.log(`migrations applied (${store.dialect})`);
    }),
  );

const configCommand = program.command('config').description('configuration file tools');

configCommand
  .command('reference')
  .description('print the configuration reference (environment and file) as Markdown')
  .action(() => {
    process.stdout.write(renderConfigReference());
  });

configCommand
  .command('check')
  .argument('[path]', 'configuration file (default: $REFRESHD_CONFIG)')
  .description('validate a configuration file without touching the database, and list the entries it manages (the API and the CLI may not change those)')
  .action((path: string | undefined) => {
    const env = loadEnv();
    const file = path ?? env.configPath;
    if (!file) throw new ConfigError('config check: give a path or set REFRESHD_CONFIG');
    const c = loadConfigFile(file, managementAudienceFor(env.issuer));
    console.log(`${file}: valid (${c.clients.length} clients, ${c.resourceServers.length} APIs, ${c.clientGrants.length} grants)`);
    const managed = FileManaged.of(c).entries();
    if (managed.clients.length + managed.resourceServers.length + managed.clientGrants.length === 0) return;
    // The same entries the Management API and the CLI refuse to change (409 managed_by_configuration_file).
    console.log('managed by this file (re-applied at every start; the Management API and the CLI may not change or delete them):');
    for (const id of managed.clients) console.log(`  client  ${id}`);
    for (const identifier of managed.resourceServers) console.log(`  api     ${identifier}`);
    for (const g of managed.clientGrants) console.log(`  grant   ${g.clientId} -> ${g.audience} (subject_type ${g.subjectType})`);
  });

program
  .command('gc')
  .description('delete expired and revoked families, stale sessions and old events now (same policy as the background job)')
  .action(() =>
    withStore(async (store) => {
      const r = await collectGarbage(store, systemClock, gcPolicyOf(loadEnv(), store.dialect));
      console.log(`deleted ${r.families} families, ${r.sessions} sessions, ${r.events} events`);
    }),
  );

const clients = program.command('clients').description('manage clients (applications)');

clients
  .command('list')
  .description('list clients; secrets are never shown')
  .action(() =>
    withStore(async (store) => {
      const audience = managementAudienceFor(loadEnv().issuer);
      const grants = await store.listClientGrants();
      for (const c of await store.listClients()) {
        const mgmt = grants.some((g) => g.clientId === c.clientId && g.audience === audience) ? ' [management]' : '';
        console.log(`${c.clientId}  ${c.tokenEndpointAuthMethod}  ${c.grantTypes.join(',')}  "${c.name}"${mgmt}`);
      }
    }),
  );

const webOrigin = (value: string, previous: string[] = []) => {
  const problem = originProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return [...previous, value];
};

const grantType = (value: string, previous: string[] = []) => {
  if (!(KNOWN_GRANT_TYPES as readonly string[]).includes(value)) throw new InvalidArgumentError(`unknown grant type; one of ${KNOWN_GRANT_TYPES.join(', ')}`);
  return [...previous, value];
};

clients
  .command('create')
  .description('create a client and print its id and secret (shown once)')
  .requiredOption('--name <name>', 'display name')
  .addOption(new Option('--auth-method <method>', 'token endpoint auth method').choices(['client_secret_post', 'client_secret_basic', 'none']).default('client_secret_post'))
  .option('--grant-type <type>', 'grant type to enable (repeatable)', grantType)
  .option('--management', 'also grant it every Management API scope (client_credentials)')
  .option('--ip-header-trusted', 'trust the auth0-forwarded-for header from this client')
  .option('--web-origin <origin>', 'a browser origin allowed to call the token endpoint as this client (CORS; repeatable)', webOrigin)
  .option('--require-proof-of-possession', 'every token request of this client must carry a DPoP proof (Auth0\'s require_proof_of_possession)')
  .addOption(
    new Option('--dpop-nonce <policy>', 'whether its DPoP proofs must carry a server nonce (default: required for a public client, as Auth0)').choices(['required', 'optional']),
  )
  .addOption(
    new Option('--rotation <type>', 'refresh-token rotation (default: rotating for a public client, else non-rotating as Auth0)').choices(['rotating', 'non-rotating']),
  )
  .action((opts: { name: string; authMethod: TokenEndpointAuthMethod; grantType?: string[]; management?: boolean; ipHeaderTrusted?: boolean; webOrigin?: string[]; rotation?: 'rotating' | 'non-rotating'; requireProofOfPossession?: boolean; dpopNonce?: 'required' | 'optional' }) => {
    if (opts.ipHeaderTrusted && opts.authMethod === 'none') {
      throw new ConfigError('clients create: --ip-header-trusted needs a client that authenticates (not --auth-method none)');
    }
    const grantTypes = opts.grantType ?? (opts.management ? ['client_credentials'] : ['refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange']);
    if (opts.management && !grantTypes.includes('client_credentials')) grantTypes.push('client_credentials');
    const rotationType = opts.rotation ?? (opts.authMethod === 'none' ? 'rotating' : DEFAULT_REFRESH_TOKEN_SETTINGS.rotationType);
    const refreshToken = { ...DEFAULT_REFRESH_TOKEN_SETTINGS, rotationType };
    const unprotected = refreshTokenProtectionProblem({ tokenEndpointAuthMethod: opts.authMethod, grantTypes, refreshToken });
    if (unprotected) throw new ConfigError(`clients create: --rotation non-rotating is refused: ${unprotected}`);
    // The same use cases as POST /api/v2/clients and /client-grants: the same checks, and `sapi` events stored.
    return withAdmin(async (deps) => {
      // Before the server's first start the built-in Management API is not there yet: written as a start would.
      if (opts.management) await ensureManagementApi(deps.store, deps.managementAudience, loadEnv().managementTokenLifetimeSeconds);
      const { client, clientSecret } = await createClient(deps, CLI_ACTOR, {
        name: opts.name,
        tokenEndpointAuthMethod: opts.authMethod,
        grantTypes,
        isTokenEndpointIpHeaderTrusted: opts.ipHeaderTrusted ?? false,
        webOrigins: opts.webOrigin ?? [],
        requireProofOfPossession: opts.requireProofOfPossession ?? false,
        requireDpopNonce: opts.dpopNonce === undefined ? null : opts.dpopNonce === 'required',
        refreshToken,
      });
      if (opts.management) {
        await createClientGrant(deps, CLI_ACTOR, { clientId: client.clientId, audience: deps.managementAudience, scope: [...MANAGEMENT_SCOPES], subjectType: 'client' });
      }
      console.log(`client_id:     ${client.clientId}`);
      if (clientSecret) console.log(`client_secret: ${clientSecret}`);
    });
  });

clients
  .command('rotate-secret')
  .argument('<client_id>')
  .option('--revoke-tokens', 'a leaked secret: also revoke the client\'s refresh tokens and refuse the Management API tokens it already holds')
  .description('replace a client\'s secret and print the new one (shown once); the old one stops working within seconds')
  .action((clientId: string, opts: { revokeTokens?: boolean }) =>
    withAdmin(async (deps) => {
      const rotated = await rotateClientSecret(deps, CLI_ACTOR, clientId, { revokeTokens: opts.revokeTokens ?? false });
      console.log(`client_id:     ${clientId}`);
      console.log(`client_secret: ${rotated.clientSecret}`);
      if (opts.revokeTokens) console.log(`revoked ${rotated.revoked} refresh token(s); Management API tokens issued before now are refused`);
    }),
  );

clients
  .command('delete')
  .argument('<client_id>')
  .description('delete a client: its refresh tokens are revoked first, its grants go with it (as DELETE /api/v2/clients/{id})')
  .action((clientId: string) =>
    withAdmin(async (deps) => {
      const { revoked } = await deleteClient(deps, CLI_ACTOR, clientId);
      console.log(`deleted ${clientId}; revoked ${revoked} refresh token(s)`);
    }),
  );

clients
  .command('revoke-tokens')
  .argument('<client_id>')
  .description(
    'revoke every refresh token of a client, for all users (a compromised client); effective at once on every instance. ' +
      'Tokens it obtains meanwhile survive: for a confidential client, rotate its secret first.',
  )
  .action((clientId: string) =>
    withStore(async (store) => {
      const client = await store.findClient(clientId);
      if (!client) throw new ConfigError(`no client ${clientId}`);
      const now = Date.now();
      const revoked = await store.revokeClientFamilies(clientId, now, 'client_revoked');
      // Recorded like the Management API's revocations, so GET /api/v2/logs and the audit trail show it.
      await store.insertEvents([
        {
          logId: newEventId(now),
          type: 'srrt',
          date: now,
          description: 'Revoke every refresh token of a client (refreshd CLI)',
          clientId,
          details: { revoked, via: 'cli' },
        },
      ]);
      console.log(`revoked ${revoked} refresh token(s) of ${clientId}`);
    }),
  );

addApisCommand(program, withAdmin);
addGrantsCommand(program, withAdmin);

const keys = program.command('keys').description('manage access-token signing keys');

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

keys
  .command('list')
  .description('list signing keys (public information only) and their state: pending (published, not signing yet), signing, retiring, retired (verifying only), expired')
  .action(() =>
    withStore(async (store) => {
      for (const k of await listSigningKeys({ store, clock: systemClock })) {
        const until = k.retiredAt === null ? '' : `  signs until ${iso(k.retiredAt)}  verifies until ${iso(k.verifyUntil)}`;
        console.log(`${k.kid}  ${k.alg}  ${k.state}  created ${iso(k.createdAt)}  signs from ${iso(k.activatesAt ?? k.createdAt)}${until}`);
      }
    }),
  );

const seconds = (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected whole seconds');
  return Number(v);
};

keys
  .command('rotate')
  .description(
    'create a new signing key: published in the JWKS at once, signing only after the activation delay, so verifiers that cache the JWKS ' +
      'have it before its first token; the previous key signs until then and keeps verifying for the grace period after',
  )
  .addOption(new Option('--alg <alg>', 'algorithm').choices([...SIGNING_ALGS]).default('RS256'))
  .option('--activation-delay <seconds>', `seconds before the new key signs (default: $REFRESHD_KEY_ACTIVATION_DELAY_SECONDS, else ${DEFAULT_KEY_ACTIVATION_DELAY_SECONDS}); 0 = at once, for emergencies`, seconds)
  .option('--grace <seconds>', 'how long the previous keys stay in the JWKS once the new one signs (default: longest access-token lifetime, at least a day)', seconds)
  .action((opts: { alg: SigningAlg; activationDelay?: number; grace?: number }) => {
    const activationDelaySeconds = opts.activationDelay ?? loadEnv().keyActivationDelaySeconds;
    if (activationDelaySeconds > MAX_KEY_ACTIVATION_DELAY_SECONDS) throw new ConfigError(`keys rotate: --activation-delay is at most ${MAX_KEY_ACTIVATION_DELAY_SECONDS}`);
    return withStore(async (store) => {
      const r = await rotateSigningKey({ keys: new KeyRing(store, systemClock), store, clock: systemClock }, { alg: opts.alg, activationDelaySeconds, graceSeconds: opts.grace });
      console.log(`new ${r.key.alg} signing key ${r.key.kid}: in the JWKS of every instance within 30 s, signing from ${iso(r.key.activatesAt)} (in ${r.activationDelaySeconds} s)`);
      console.log(`previous ${r.key.alg} key(s) (${r.retired}) sign until then and verify until ${iso(r.verifyUntil)}`);
      if (r.activationDelaySeconds < 60) {
        console.error('refreshd: warning: with an activation delay under a minute, verifiers holding a cached JWKS may see an unknown kid until they re-fetch it');
      }
    });
  });

keys
  .command('encrypt')
  .description('encrypt the private keys and secrets stored in plaintext under REFRESHD_KEY_ENCRYPTION_KEY (the server also does it at start)')
  .action(() =>
    withStore(async (store) => {
      if (!loadEnv().keyCipher) throw new ConfigError('keys encrypt: set REFRESHD_KEY_ENCRYPTION_KEY (32 bytes in base64: openssl rand -base64 32)');
      const sealed = await store.sealKeyMaterial();
      // Reading everything back proves the whole database opens under this key.
      await store.listSigningKeys();
      console.log(`encrypted ${sealed.signingKeys} signing key(s) and ${sealed.secrets} server secret(s); every private key is now encrypted at rest`);
    }),
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof ManagementError) {
    console.error(`refreshd: ${err.message}`);
    process.exit(2);
  }
  console.error(`refreshd: ${err instanceof Error ? err.message : String(err)}`);
  if (process.env.DEBUG) console.error(err);
  process.exit(1);
});
