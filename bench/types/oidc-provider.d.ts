// The slice of oidc-provider 9 the peer uses (the package ships no types; the peer is not product code).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Model {
    save(): Promise<string>;
  }
  interface GrantModel extends Model {
    addOIDCScope(scope: string): void;
  }
  interface ClientModel {
    clientId: string;
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    Grant: new (payload: { accountId: string; clientId: string }) => GrantModel;
    RefreshToken: new (payload: Record<string, unknown>) => Model;
    Client: { find(id: string): Promise<ClientModel | undefined> };
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    proxy: boolean;
  }
  export default Provider;
}
