import { ManagementError } from '../core/errors.js';

/** The configuration use cases' errors, in Auth0's envelope codes; a fresh error per call. */

export const invalidBody = (message: string) => new ManagementError(400, 'invalid_body', message);

export const clientNotFound = () => new ManagementError(404, 'inexistent_client', 'The client does not exist.');

export const resourceServerNotFound = () => new ManagementError(404, 'inexistent_resource_server', 'The resource server does not exist.');

export const clientGrantNotFound = () => new ManagementError(404, 'inexistent_client_grant', 'The client grant does not exist.');

export const conflict = (message: string) => new ManagementError(409, 'conflict', message);

/** The configuration file declares it and is re-applied at every start: a change here would be undone. */
export const managedByFile = (what: string) =>
  new ManagementError(409, 'managed_by_configuration_file', `${what} is declared in the configuration file (REFRESHD_CONFIG); change it there.`);

export const systemResourceServer = () =>
  new ManagementError(400, 'operation_not_supported', 'The Management API is built in: it cannot be changed or deleted.');
