import type { Metadata, RefreshToken, Session } from '../api/types.js';
import type { SessionGroup } from '../model/group-by-session.js';
import { ClientLabel } from './client-label.js';
import { DeviceTitle } from './device-title.js';
import { Fact, NetworkFacts } from './facts.js';
import { MetadataEditor } from './metadata-editor.js';
import { TimeText } from './time-text.js';
import { TokenCard, type TokenCardProps } from './token-card.js';

export interface SessionCardProps extends Omit<TokenCardProps, 'token' | 'canEdit' | 'canRevoke' | 'onSaveMetadata'> {
  group: SessionGroup;
  /** Sessions could not be read (e.g. 403): a missing session is then unknown, not gone. */
  sessionsUnreadable: boolean;
  canEndSession: boolean;
  canEditSession: boolean;
  canEditTokens: boolean;
  canRevokeTokens: boolean;
  onEndSession: (group: SessionGroup) => void;
  onSaveSessionMetadata: (session: Session, metadata: Metadata) => Promise<void>;
  onSaveTokenMetadata: (token: RefreshToken, metadata: Metadata) => Promise<void>;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function SessionCard(props: SessionCardProps) {
  const { group, now } = props;
  const { session } = group;
  const tokens = (
    <ul class="tokens" aria-label={`Refresh tokens of ${session ? `session ${session.id}` : 'this group'}`}>
      {group.tokens.map((t) => (
        <TokenCard
          key={t.id}
          token={t}
          sessionUserAgent={session?.device.last_user_agent}
          now={now}
          canEdit={props.canEditTokens}
          canRevoke={props.canRevokeTokens}
          onRevoke={props.onRevoke}
          onSaveMetadata={props.onSaveTokenMetadata}
        />
      ))}
    </ul>
  );

  if (!session) {
    return (
      <li class="card session orphan">
        <h3>{group.sessionId ? <>Session <code>{group.sessionId}</code></> : 'Not in a session'}</h3>
        <p class="muted">
          {group.sessionId === null
            ? 'These refresh tokens were issued outside any session.'
            : props.sessionsUnreadable
              ? 'The session itself could not be read.'
              : 'This session has ended or was deleted; its refresh tokens stay usable until they are revoked.'}
        </p>
        {tokens}
      </li>
    );
  }

  return (
    <li class="card session" data-session-id={session.id}>
      <div class="card-head">
        <DeviceTitle device={session.device} level="h3" prefix="Session" />
        {props.canEndSession ? (
          <button type="button" class="danger small" aria-label={`End session ${session.id}`} onClick={() => props.onEndSession(group)}>
            End session
          </button>
        ) : null}
      </div>
      <dl class="facts">
        <Fact label="Refresh tokens">{plural(group.tokens.length, 'refresh token', 'refresh tokens')}</Fact>
        <Fact label="Clients">
          <ul class="plain">
            {session.clients.map((c) => (
              <li key={c.client_id}>
                <ClientLabel clientId={c.client_id} />
              </li>
            ))}
          </ul>
        </Fact>
        <NetworkFacts device={session.device} />
        <Fact label="Created">
          <TimeText iso={session.created_at} now={now} />
        </Fact>
        <Fact label="Last used">
          <TimeText iso={session.last_interacted_at} now={now} />
        </Fact>
        <Fact label="Idle expiry">
          <TimeText iso={session.idle_expires_at} now={now} none="None" />
        </Fact>
        <Fact label="Absolute expiry">
          <TimeText iso={session.expires_at} now={now} none="Never" />
        </Fact>
        <Fact label="Metadata" wide>
          <MetadataEditor
            title="Session metadata"
            subject={`session ${session.id}`}
            metadata={session.session_metadata}
            canEdit={props.canEditSession}
            save={(m) => props.onSaveSessionMetadata(session, m)}
          />
        </Fact>
        <Fact label="ID">
          <code>{session.id}</code>
        </Fact>
      </dl>
      {group.tokens.length ? tokens : <p class="muted">No refresh token in this session.</p>}
    </li>
  );
}
