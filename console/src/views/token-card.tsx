import type { Metadata, RefreshToken } from '../api/types.js';
import { ClientLabel } from './client-label.js';
import { DeviceTitle } from './device-title.js';
import { Fact, NetworkFacts } from './facts.js';
import { MetadataEditor } from './metadata-editor.js';
import { TimeText } from './time-text.js';

export interface TokenCardProps {
  token: RefreshToken;
  /** The user agent the session card above already shows. */
  sessionUserAgent?: string;
  now: number;
  canEdit: boolean;
  canRevoke: boolean;
  onRevoke: (token: RefreshToken) => void;
  onSaveMetadata: (token: RefreshToken, metadata: Metadata) => Promise<void>;
}

export function TokenCard({ token, sessionUserAgent, now, canEdit, canRevoke, onRevoke, onSaveMetadata }: TokenCardProps) {
  return (
    <li class="card token" data-token-id={token.id}>
      <div class="card-head">
        <DeviceTitle device={token.device} level="h4" prefix="Refresh token" shownAbove={sessionUserAgent} />
        {canRevoke ? (
          <button type="button" class="danger small" aria-label={`Revoke refresh token ${token.id}`} onClick={() => onRevoke(token)}>
            Revoke
          </button>
        ) : null}
      </div>
      <dl class="facts">
        <Fact label="Client">
          <ClientLabel clientId={token.client_id} />
        </Fact>
        <Fact label="APIs and scopes" wide>
          <ul class="plain">
            {token.resource_servers.map((r) => (
              <li key={r.audience}>
                <code>{r.audience}</code>: {r.scopes || <span class="muted">no scopes</span>}
              </li>
            ))}
          </ul>
        </Fact>
        <Fact label="Rotating">{token.rotating ? 'Yes' : 'No'}</Fact>
        <NetworkFacts device={token.device} />
        <Fact label="Created">
          <TimeText iso={token.created_at} now={now} />
        </Fact>
        <Fact label="Last used">
          <TimeText iso={token.last_exchanged_at} now={now} none="Never exchanged" />
        </Fact>
        <Fact label="Idle expiry">
          <TimeText iso={token.idle_expires_at} now={now} none="None" />
        </Fact>
        <Fact label="Absolute expiry">
          <TimeText iso={token.expires_at} now={now} none="Never" />
        </Fact>
        <Fact label="Metadata" wide>
          <MetadataEditor
            title="Token metadata"
            subject={`refresh token ${token.id}`}
            metadata={token.refresh_token_metadata}
            canEdit={canEdit}
            save={(m) => onSaveMetadata(token, m)}
          />
        </Fact>
        <Fact label="ID">
          <code>{token.id}</code>
        </Fact>
      </dl>
    </li>
  );
}
