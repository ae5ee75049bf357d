import { useState } from 'preact/hooks';
import type { LogsPage } from '../api/types.js';
import { useServices } from '../context.js';
import { useLoad } from '../hooks.js';
import { eventInWords, isAlarming } from '../model/event-types.js';
import { ClientLabel } from './client-label.js';
import { ErrorNotice, Loading } from './status.js';
import { TimeText } from './time-text.js';

export const EVENTS_PER_PAGE = 10;

/** Auth0's search syntax; the user id is quoted, with " and \ escaped, so ids such as auth0|x stay one term. */
const userQuery = (userId: string) => `user_id:"${userId.replace(/["\\]/g, '\\$&')}"`;

/** The user's security events, newest first, from GET /api/v2/logs (search mode, with totals). */
export function SecurityEvents({ userId, version, now }: { userId: string; version: number; now: number }) {
  const { api } = useServices();
  const [page, setPage] = useState(0);
  const { data, reload } = useLoad(
    () => api.get<LogsPage>('/logs', { q: userQuery(userId), page, per_page: EVENTS_PER_PAGE, sort: 'date:-1', include_totals: true }),
    [userId, page, version],
  );

  let body;
  if (data.state === 'loading') body = <Loading label="Loading security events…" />;
  else if (data.state === 'error') body = <ErrorNotice error={data.error} retry={reload} context="Security events" />;
  else if (data.value.total === 0) body = <p class="muted">No security events for this user.</p>;
  else {
    const { start, length, total, logs } = data.value;
    const last = start + length;
    body = (
      <>
        <div class="table-wrap">
          <table class="events">
            <caption class="visually-hidden">Security events of {userId}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Client</th>
                <th scope="col">IP</th>
              </tr>
            </thead>
            <tbody>
              {logs.map((e) => (
                <tr key={e.log_id} class={isAlarming(e.type) ? 'alarm' : undefined} data-type={e.type}>
                  <td data-label="When">
                    <TimeText iso={e.date} now={now} />
                  </td>
                  <td data-label="Event">
                    <span class="event-words">{eventInWords(e.type)}</span>
                    <span class="event-detail">
                      <code>{e.type}</code> {e.description}
                    </span>
                  </td>
                  <td data-label="Client">{e.client_id ? <ClientLabel clientId={e.client_id} /> : <span class="muted">None</span>}</td>
                  <td data-label="IP">{e.ip ? <code>{e.ip}</code> : <span class="muted">Unknown</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <nav class="pager" aria-label="Security event pages">
          <button type="button" class="secondary small" disabled={page === 0} onClick={() => setPage(page - 1)}>
            Newer
          </button>
          <span aria-live="polite">
            Events {start + 1}–{last} of {total}
          </span>
          <button type="button" class="secondary small" disabled={last >= total} onClick={() => setPage(page + 1)}>
            Older
          </button>
        </nav>
      </>
    );
  }

  return (
    <section class="panel" aria-labelledby="events-title">
      <div class="panel-head">
        <h2 id="events-title">Security events</h2>
        <button type="button" class="secondary small" onClick={reload}>
          Reload events
        </button>
      </div>
      {body}
    </section>
  );
}
