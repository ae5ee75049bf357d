import { createServer } from 'node:http';
import { exitOnSignals } from './token-response.js';

/**
 * The application's token hook for the "refresh with a token hook" scenarios: node:http on loopback, reading the
 * signed event and answering 200 with two claims, as the scenario specifies. It verifies nothing (an
 * application would also verify the Standard Webhooks signature: about 10 µs of HMAC on its side), so the figure
 * is refreshd's cost of asking: building and signing the event, one keep-alive round trip, validating and merging
 * the answer, and writing the claims in the compare-and-set.
 */
const answer = JSON.stringify({ access_token: { claims: { 'https://example.com/roles': ['admin', 'billing'], tenant: 'acme-corporation' } } });

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200).end('ok');
    return;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
exitOnSignals(() => new Promise<void>((resolve) => server.close(() => resolve())));
