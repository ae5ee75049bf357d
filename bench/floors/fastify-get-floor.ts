import Fastify from 'fastify';
import { exitOnSignals } from './token-response.js';

/**
 * Floor for the Management API reads: bare Fastify 5 (no logger, no hooks) answering a GET with a fixed JSON
 * object shaped like an Auth0 refresh-token record, through a response schema as refreshd's routes use.
 */
const record = {
  id: 'hQ3b8bVb0mGx8L1m1tZl7w',
  user_id: 'auth0|bench-user-0000000001',
  created_at: '2026-11-22T10:00:00.000Z',
  idle_expires_at: '2026-12-07T10:00:00.000Z',
  expires_at: '2026-12-22T10:00:00.000Z',
  device: {
    initial_ip: '203.0.113.57',
    initial_asn: '64496',
    initial_user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    last_ip: '203.0.113.57',
    last_asn: '64496',
    last_user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  },
  client_id: 'bench-rotating',
  session_id: 'Zq3m0f8v2Xk9pL4sT7wB1A',
  rotating: true,
  resource_servers: [{ audience: 'https://api-es256.bench.example/', scopes: 'offline_access read:data' }],
  last_exchanged_at: '2026-11-22T10:05:00.000Z',
};

const str = { type: 'string' } as const;
const app = Fastify({ logger: false });
app.get(
  '/api/v2/refresh-tokens/:id',
  {
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            id: str,
            user_id: str,
            created_at: str,
            idle_expires_at: str,
            expires_at: str,
            device: { type: 'object', additionalProperties: str },
            client_id: str,
            session_id: str,
            rotating: { type: 'boolean' },
            resource_servers: { type: 'array', items: { type: 'object', properties: { audience: str, scopes: str } } },
            last_exchanged_at: str,
          },
        },
      },
    },
  },
  async () => record,
);
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
exitOnSignals(() => app.close());
