import { Option, type Command } from 'commander';
import { CLI_ACTOR } from '../admin/deps.js';
import { createResourceServer, deleteResourceServer, getResourceServer, listResourceServers, resourceServerId } from '../admin/resource-servers.js';
import { SIGNING_ALGS, type SigningAlg } from '../core/types.js';
import { CreateResourceServerBody } from '../http/schemas/resource-servers.js';
import { checkedBody, commaList, type WithAdmin } from './admin-runner.js';

const wholeSeconds = (v: string): number => (/^\d+$/.test(v) ? Number(v) : Number.NaN);

/**
 * `refreshd apis list|create|delete`: a thin layer over src/admin/resource-servers.ts, the functions behind
 * /api/v2/resource-servers. Options are Auth0's field names.
 */
export function addApisCommand(program: Command, withAdmin: WithAdmin): void {
  const apis = program.command('apis').description('manage APIs (resource servers), as /api/v2/resource-servers');

  apis
    .command('list')
    .description('list APIs: identifier, id, signing algorithm, access-token lifetime, offline access, scopes, name')
    .action(() =>
      withAdmin(async (deps) => {
        const { items } = await listResourceServers(deps, { page: 0, perPage: Number.MAX_SAFE_INTEGER });
        for (const rs of items) {
          const offline = rs.allowOfflineAccess ? 'offline_access' : 'no_offline_access';
          const system = rs.isSystem ? ' [system]' : '';
          console.log(`${rs.identifier}  ${resourceServerId(rs.identifier)}  ${rs.signingAlg}  ${rs.tokenLifetimeSeconds}s  ${offline}  ${rs.scopes.join(',') || '-'}  "${rs.name}"${system}`);
        }
      }),
    );

  apis
    .command('create')
    .description('create an API and print its id')
    .requiredOption('--identifier <audience>', 'the API\'s audience, e.g. https://api.example.com (cannot change)')
    .option('--name <name>', 'display name (default: the identifier)')
    .option('--scopes <scopes>', 'the API\'s scopes, comma-separated: read:data,write:data', commaList)
    .option('--allow-offline-access', 'refresh tokens may be issued for this API')
    // Parsed to NaN when not whole seconds, so the schema check below words the refusal as the API does.
    .option('--token-lifetime <seconds>', 'access-token lifetime in seconds (default 86400)', wholeSeconds)
    .addOption(new Option('--signing-alg <alg>', 'access-token signing algorithm (default RS256)').choices([...SIGNING_ALGS]))
    .action((opts: { identifier: string; name?: string; scopes?: string[]; allowOfflineAccess?: boolean; tokenLifetime?: number; signingAlg?: SigningAlg }) =>
      withAdmin(async (deps) => {
        const body = checkedBody(CreateResourceServerBody, {
          identifier: opts.identifier,
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          ...(opts.scopes !== undefined ? { scopes: opts.scopes.map((value) => ({ value })) } : {}),
          ...(opts.allowOfflineAccess ? { allow_offline_access: true } : {}),
          ...(opts.tokenLifetime !== undefined ? { token_lifetime: opts.tokenLifetime } : {}),
          ...(opts.signingAlg !== undefined ? { signing_alg: opts.signingAlg } : {}),
        });
        const rs = await createResourceServer(deps, CLI_ACTOR, {
          identifier: body.identifier,
          name: body.name,
          scopes: body.scopes?.map((s) => s.value),
          allowOfflineAccess: body.allow_offline_access,
          tokenLifetimeSeconds: body.token_lifetime,
          signingAlg: body.signing_alg,
        });
        console.log(`id:         ${resourceServerId(rs.identifier)}`);
        console.log(`identifier: ${rs.identifier}`);
      }),
    );

  apis
    .command('delete')
    .argument('<id>', 'the API\'s id or identifier')
    .description('delete an API and its client grants (as DELETE /api/v2/resource-servers/{id}); its refresh tokens can no longer be exchanged')
    .action((id: string) =>
      withAdmin(async (deps) => {
        const { identifier } = await getResourceServer(deps, id);
        await deleteResourceServer(deps, CLI_ACTOR, identifier);
        console.log(`deleted ${identifier} and its client grants`);
      }),
    );
}
