import type { RefreshToken, Session } from '../api/types.js';

export interface SessionGroup {
  /** Null for tokens whose session is gone or could not be read. */
  session: Session | null;
  sessionId: string | null;
  tokens: RefreshToken[];
}

const latest = (s: Session) => Date.parse(s.last_interacted_at);

/**
 * A user's refresh tokens under the session each was issued in, most recently active session first. Tokens of a
 * session that is not listed (it was deleted, which leaves its tokens usable, or sessions are not readable)
 * form groups of their own, so no token is ever hidden.
 */
export function groupBySession(sessions: readonly Session[], tokens: readonly RefreshToken[]): SessionGroup[] {
  const groups = [...sessions].sort((a, b) => latest(b) - latest(a)).map((session): SessionGroup => ({ session, sessionId: session.id, tokens: [] }));
  const byId = new Map(groups.map((g) => [g.sessionId, g]));
  for (const token of tokens) {
    let group = byId.get(token.session_id);
    if (!group) {
      group = { session: null, sessionId: token.session_id, tokens: [] };
      byId.set(token.session_id, group);
      groups.push(group);
    }
    group.tokens.push(token);
  }
  return groups;
}
