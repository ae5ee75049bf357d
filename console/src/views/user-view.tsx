import { useState } from 'preact/hooks';
import type { ManagementApi } from '../api/management-api.js';
import { seg } from '../api/management-api.js';
import type { CursorPage, Metadata, RefreshToken, Session } from '../api/types.js';
import { useServices } from '../context.js';
import { useLoad, useNow } from '../hooks.js';
import { deviceInWords } from '../model/device.js';
import { groupBySession, type SessionGroup } from '../model/group-by-session.js';
import { relativeTime } from '../model/time.js';
import { holds, SCOPES } from '../model/scopes.js';
import { useClientText } from './client-label.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { SecurityEvents } from './security-events.js';
import { SessionCard } from './session-card.js';
import { ErrorNotice, Loading } from './status.js';

/** At most this many pages of 100 are read; a user with more is told so (Auth0 caps a client at 200 per user). */
const MAX_PAGES = 10;

interface All<T> {
  items: T[];
  truncated: boolean;
}

async function readAll<T>(api: ManagementApi, path: string, key: 'tokens' | 'sessions'): Promise<All<T>> {
  const items: T[] = [];
  let from: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await api.get<CursorPage & Record<typeof key, T[]>>(path, { take: 100, from });
    items.push(...page[key]);
    if (!page.next) return { items, truncated: false };
    from = page.next;
  }
  return { items, truncated: true };
}

type Confirmation =
  | { kind: 'token'; token: RefreshToken }
  | { kind: 'session'; group: SessionGroup }
  | { kind: 'everywhere' }
  | { kind: 'all-tokens' };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One user: sessions with their refresh tokens, the write controls the token's scopes allow, and security events. */
export function UserView({ userId, scopes }: { userId: string; scopes: readonly string[] }) {
  const { api } = useServices();
  const now = useNow();
  const clientText = useClientText();
  const tokens = useLoad(() => readAll<RefreshToken>(api, `/users/${seg(userId)}/refresh-tokens`, 'tokens'), [userId]);
  const sessions = useLoad(() => readAll<Session>(api, `/users/${seg(userId)}/sessions`, 'sessions'), [userId]);
  const [eventsVersion, setEventsVersion] = useState(0);
  const [confirm, setConfirm] = useState<Confirmation | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const changed = (what: string) => {
    setAnnouncement(what);
    setEventsVersion((v) => v + 1);
  };

  const may = {
    editTokens: holds(scopes, SCOPES.updateTokens),
    revokeTokens: holds(scopes, SCOPES.deleteTokens),
    editSessions: holds(scopes, SCOPES.updateSessions),
    // POST /sessions/{id}/revoke also revokes the session's refresh tokens: it takes both scopes.
    endSessions: holds(scopes, SCOPES.deleteSessions, SCOPES.deleteTokens),
    everywhere: holds(scopes, SCOPES.deleteSessions, SCOPES.deleteTokens),
  };

  const reload = () => {
    tokens.reload();
    sessions.reload();
    setEventsVersion((v) => v + 1);
  };

  // ——— writes: each updates the view as soon as the API accepted it ———

  const saveTokenMetadata = async (token: RefreshToken, metadata: Metadata) => {
    const updated = await api.patch<RefreshToken>(`/refresh-tokens/${seg(token.id)}`, { refresh_token_metadata: metadata });
    tokens.set((all) => ({ ...all, items: all.items.map((t) => (t.id === updated.id ? updated : t)) }));
    changed(`Metadata of refresh token ${token.id} saved.`);
  };
  const saveSessionMetadata = async (session: Session, metadata: Metadata) => {
    const updated = await api.patch<Session>(`/sessions/${seg(session.id)}`, { session_metadata: metadata });
    sessions.set((all) => ({ ...all, items: all.items.map((s) => (s.id === updated.id ? updated : s)) }));
    changed(`Metadata of session ${session.id} saved.`);
  };
  const revokeToken = async (token: RefreshToken) => {
    await api.delete(`/refresh-tokens/${seg(token.id)}`);
    tokens.set((all) => ({ ...all, items: all.items.filter((t) => t.id !== token.id) }));
    changed(`Refresh token ${token.id} revoked.`);
  };
  const endSession = async (group: SessionGroup) => {
    const id = group.sessionId!;
    await api.post(`/sessions/${seg(id)}/revoke`);
    sessions.set((all) => ({ ...all, items: all.items.filter((s) => s.id !== id) }));
    tokens.set((all) => ({ ...all, items: all.items.filter((t) => t.session_id !== id) }));
    changed(`Session ${id} ended.`);
  };
  const signOutEverywhere = async () => {
    await api.post(`/users/${seg(userId)}/revoke-access`, {});
    sessions.set(() => ({ items: [], truncated: false }));
    tokens.set(() => ({ items: [], truncated: false }));
    changed(`${userId} was signed out everywhere.`);
  };
  const revokeAllTokens = async () => {
    await api.delete(`/users/${seg(userId)}/refresh-tokens`);
    tokens.set(() => ({ items: [], truncated: false }));
    changed(`Every refresh token of ${userId} was revoked.`);
  };

  // ——— what is shown ———

  const loading = tokens.data.state === 'loading' || sessions.data.state === 'loading';
  const tokenList = tokens.data.state === 'ready' ? tokens.data.value.items : [];
  const sessionList = sessions.data.state === 'ready' ? sessions.data.value.items : [];
  const groups = loading ? [] : groupBySession(sessionList, tokenList);
  const truncated =
    (tokens.data.state === 'ready' && tokens.data.value.truncated) || (sessions.data.state === 'ready' && sessions.data.value.truncated);

  let content;
  if (loading) content = <Loading label="Loading sessions and refresh tokens…" />;
  else {
    content = (
      <>
        {sessions.data.state === 'error' ? <ErrorNotice error={sessions.data.error} retry={sessions.reload} context="Sessions" /> : null}
        {tokens.data.state === 'error' ? <ErrorNotice error={tokens.data.error} retry={tokens.reload} context="Refresh tokens" /> : null}
        {truncated ? <p class="notice">Only the first {MAX_PAGES * 100} are shown.</p> : null}
        {groups.length === 0 && tokens.data.state === 'ready' && sessions.data.state === 'ready' ? (
          <p class="empty">No active session or refresh token.</p>
        ) : (
          <ul class="sessions">
            {groups.map((g) => (
              <SessionCard
                key={g.sessionId ?? 'none'}
                group={g}
                now={now}
                sessionsUnreadable={sessions.data.state === 'error'}
                canEndSession={may.endSessions}
                canEditSession={may.editSessions}
                canEditTokens={may.editTokens}
                canRevokeTokens={may.revokeTokens}
                onEndSession={(group) => setConfirm({ kind: 'session', group })}
                onRevoke={(token) => setConfirm({ kind: 'token', token })}
                onSaveSessionMetadata={saveSessionMetadata}
                onSaveTokenMetadata={saveTokenMetadata}
              />
            ))}
          </ul>
        )}
      </>
    );
  }

  const summary = loading
    ? null
    : [
        sessions.data.state === 'ready' ? plural(sessionList.length, 'session', 'sessions') : null,
        tokens.data.state === 'ready' ? plural(tokenList.length, 'refresh token', 'refresh tokens') : null,
      ]
        .filter(Boolean)
        .join(' · ');
  const nothingLeft = !loading && sessionList.length === 0 && tokenList.length === 0;

  return (
    <article class="user" aria-labelledby="user-title">
      <div class="user-head">
        <div>
          <h1 id="user-title" tabIndex={-1}>
            User <code>{userId}</code>
          </h1>
          {summary ? <p class="summary">{summary}</p> : null}
        </div>
        <div class="actions">
          <button type="button" class="secondary" onClick={reload}>
            Reload
          </button>
          {may.everywhere ? (
            <button type="button" class="danger" disabled={loading || nothingLeft} onClick={() => setConfirm({ kind: 'everywhere' })}>
              Sign out everywhere
            </button>
          ) : may.revokeTokens ? (
            <button type="button" class="danger" disabled={loading || tokenList.length === 0} onClick={() => setConfirm({ kind: 'all-tokens' })}>
              Revoke all refresh tokens
            </button>
          ) : null}
        </div>
      </div>
      <p class="visually-hidden" role="status">
        {announcement}
      </p>

      <section class="panel" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions and refresh tokens</h2>
        {content}
      </section>

      <SecurityEvents key={eventsVersion} userId={userId} version={eventsVersion} now={now} />

      {confirm ? confirmDialog(confirm) : null}
    </article>
  );

  // A plain function, not a component: the dialog must stay the same element across re-renders (the clock ticks).
  function confirmDialog(confirmation: Confirmation) {
    const close = () => setConfirm(null);
    switch (confirmation.kind) {
      case 'token': {
        const t = confirmation.token;
        return (
          <ConfirmDialog title="Revoke this refresh token?" confirmLabel="Revoke refresh token" busyLabel="Revoking…" onConfirm={() => revokeToken(t)} onClose={close}>
            <p>
              Refresh token <code>{t.id}</code> of <strong>{clientText(t.client_id)}</strong>, on {deviceInWords(t.device.last_user_agent)}
              {t.last_exchanged_at ? `, last used ${relativeTime(t.last_exchanged_at, now)}` : ''}, stops working at once.
            </p>
            <p>That app will have to sign {userId} in again.</p>
          </ConfirmDialog>
        );
      }
      case 'session': {
        const { session, tokens: ts } = confirmation.group;
        return (
          <ConfirmDialog title="End this session?" confirmLabel="End session" busyLabel="Ending…" onConfirm={() => endSession(confirmation.group)} onClose={close}>
            <p>
              The session <code>{session!.id}</code> on {deviceInWords(session!.device.last_user_agent)}, last used {relativeTime(session!.last_interacted_at, now)}, ends
              {ts.length ? `, with its ${plural(ts.length, 'refresh token', 'refresh tokens')} (${[...new Set(ts.map((t) => clientText(t.client_id)))].join(', ')})` : ''}.
            </p>
            <p>{userId} will have to sign in again on that device.</p>
          </ConfirmDialog>
        );
      }
      case 'everywhere':
        return (
          <ConfirmDialog title="Sign out everywhere?" confirmLabel="Sign out everywhere" busyLabel="Signing out…" onConfirm={signOutEverywhere} onClose={close}>
            <p>
              Every session ({sessionList.length}) and every refresh token ({tokenList.length}) of <code>{userId}</code> ends, on every device.
            </p>
            <p>The user will have to sign in again everywhere.</p>
          </ConfirmDialog>
        );
      case 'all-tokens':
        return (
          <ConfirmDialog title="Revoke all refresh tokens?" confirmLabel="Revoke all refresh tokens" busyLabel="Revoking…" onConfirm={revokeAllTokens} onClose={close}>
            <p>
              All {plural(tokenList.length, 'refresh token', 'refresh tokens')} of <code>{userId}</code> stop working at once, on every device.
            </p>
          </ConfirmDialog>
        );
    }
  }
}
