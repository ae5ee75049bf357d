#!/usr/bin/env node
// Container healthcheck: exit 0 when /health/ready answers 200 within two seconds, 1 otherwise.
const port = process.env.PORT ?? '3000';
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
