import { Option, type Command } from 'commander';
import { createClientGrant, deleteClientGrant, listClientGrants } from '../admin/client-grants.js';
import { CLI_ACTOR } from '../admin/deps.js';
import type { GrantSubjectType } from '../core/types.js';
import { CreateClientGrantBody } from '../http/schemas/resource-servers.js';
import { checkedBody, commaList, type WithAdmin } from './admin-runner.js';

const subjectTypeOption = (description: string) => new Option('--subject-type <type>', description).choices(['client', 'user']);

/**
 * `refreshd grants list|create|delete`: a thin layer over src/admin/client-grants.ts, the functions behind
 * /api/v2/client-grants. Options are Auth0's field names.
 */
export function addGrantsCommand(program: Command, withAdmin: WithAdmin): void {
  const grants = program.command('grants').description('manage client grants (what a client may obtain from an API), as /api/v2/client-grants');

  grants
    .command('list')
    .description('list client grants: id, client_id, audience, subject_type, scopes')
    .option('--client-id <id>', 'only this client\'s grants')
    .option('--audience <identifier>', 'only grants for this API')
    .addOption(subjectTypeOption('only grants of this subject type'))
    .action((opts: { clientId?: string; audience?: string; subjectType?: GrantSubjectType }) =>
      withAdmin(async (deps) => {
        for (const g of await listClientGrants(deps, { clientId: opts.clientId, audience: opts.audience, subjectType: opts.subjectType })) {
          console.log(`${g.id}  ${g.clientId}  ${g.audience}  ${g.subjectType}  ${g.scope.join(',') || '-'}`);
        }
      }),
    );

  grants
    .command('create')
    .description(
      'let a client obtain tokens for an API and print the grant\'s id: --subject-type client (default) for itself by client credentials, ' +
        'user for the users it signs in (token exchange)',
    )
    .requiredOption('--client-id <id>', 'the client')
    .requiredOption('--audience <identifier>', 'the API\'s identifier')
    .option('--scope <scopes>', 'the API scopes granted, comma-separated (default: none)', commaList)
    .addOption(subjectTypeOption('client: the client itself (client credentials); user: users it vouches for (token exchange)').default('client'))
    .action((opts: { clientId: string; audience: string; scope?: string[]; subjectType: GrantSubjectType }) =>
      withAdmin(async (deps) => {
        const body = checkedBody(CreateClientGrantBody, { client_id: opts.clientId, audience: opts.audience, scope: opts.scope ?? [], subject_type: opts.subjectType });
        const grant = await createClientGrant(deps, CLI_ACTOR, { clientId: body.client_id, audience: body.audience, scope: body.scope, subjectType: body.subject_type });
        console.log(`id: ${grant.id}`);
      }),
    );

  grants
    .command('delete')
    .argument('<id>', 'the grant\'s id (grants list shows it)')
    .description('delete a client grant (as DELETE /api/v2/client-grants/{id}); refresh tokens already issued keep their scopes')
    .action((id: string) =>
      withAdmin(async (deps) => {
        await deleteClientGrant(deps, CLI_ACTOR, id);
        console.log(`deleted client grant ${id}`);
      }),
    );
}
