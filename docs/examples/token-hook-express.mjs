// A refreshd token hook in Express, verifying every call with the standardwebhooks package.
//   npm install express standardwebhooks
//   REFRESHD_TOKEN_HOOK_SECRET=whsec_... node token-hook-express.mjs
// and point refreshd at it: REFRESHD_TOKEN_HOOK_URL=http://127.0.0.1:4000/refreshd/token-hook
import express from 'express';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

// Your own user data; here, two tables in memory.
const suspended = new Set(['auth0|mallory']);
const rolesOf = { 'auth0|alice': ['admin', 'billing'], 'auth0|bob': ['viewer'] };

export function createTokenHook(secret) {
  const webhook = new Webhook(secret);
  const app = express();

  // The signature covers the exact bytes sent: verify the raw body first, and only then trust the JSON.
  app.post('/refreshd/token-hook', express.raw({ type: 'application/json', limit: '64kb' }), (req, res) => {
    let event;
    try {
      event = webhook.verify(req.body, req.headers); // checks webhook-id, -timestamp (5 min) and -signature
    } catch (err) {
      if (err instanceof WebhookVerificationError) return res.status(401).end();
      throw err;
    }

    // Refuse: 403 access_denied with this text; nothing is written, the refresh token stays usable.
    if (suspended.has(event.user_id)) return res.json({ deny: 'This account is suspended.' });

    // Kill the whole refresh-token family once an admin flagged the device (PATCH refresh_token_metadata through
    // the Management API): the client gets invalid_grant from now on.
    if (event.event === 'refresh' && event.refresh_token.metadata.reported_stolen === 'true') {
      return res.json({ revoke: 'Device reported stolen' });
    }

    const roles = rolesOf[event.user_id] ?? [];
    const current = event.refresh_token?.claims['https://example.com/roles'];
    if (JSON.stringify(current) === JSON.stringify(roles)) return res.status(204).end(); // nothing to change

    res.json({
      // Stored with the family: this token and every later one carry the user's current roles.
      refresh_token: {
        claims: { ...event.refresh_token?.claims, 'https://example.com/roles': roles },
        metadata: { roles_checked_at: new Date().toISOString() },
      },
      // Only in this access token: merged over the family's claims (null would remove one).
      access_token: { claims: { 'https://example.com/checked_by': 'token-hook' } },
    });
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 4000);
  createTokenHook(process.env.REFRESHD_TOKEN_HOOK_SECRET).listen(port, '127.0.0.1', () => console.log(`token hook on :${port}`));
}
