import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadEnv } from '../../src/config/env.js';
import { renderConfigReference } from '../../src/ops/config-reference.js';
import { freePort, startProcess } from '../helpers/process.js';

// No container engine runs here, so the container's pieces are tested outside one: the same start command, the
// same environment, the healthcheck script, and the files the Dockerfile names.
describe('the container image, outside a container', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');

  test('the Dockerfile runs the built CLI as a non-root user with a healthcheck', () => {
    const cmd = /^CMD \["node", "([^"]+)", "serve"\]$/m.exec(dockerfile)?.[1];
    const health = /HEALTHCHECK .* CMD \["node", "([^"]+)"\]$/m.exec(dockerfile)?.[1];
    assert.equal(cmd, 'dist/src/cli.js');
    assert.equal(health, 'dist/src/healthcheck.js');
    assert.ok(existsSync(cmd!) && existsSync(health!), 'the build produces the files the image runs');
    assert.match(dockerfile, /^USER node$/m);
    // The admin console: its sources reach the build stage, its bundle the image.
    assert.match(dockerfile, /^COPY console \.\/console$/m);
    assert.match(dockerfile, /^COPY scripts\/build-console\.mjs \.\/scripts\/$/m);
    assert.match(dockerfile, /^COPY --from=build \/app\/dist\/console \.\/dist\/console$/m);
    assert.match(dockerfile, /^FROM .* AS build$/m);
  });

  test('the container start command serves with the container environment, and the healthcheck reflects it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'refreshd-container-'));
    try {
      const port = await freePort();
      const env = { HOST: '0.0.0.0', NODE_ENV: 'production', REFRESHD_DATABASE_URL: `sqlite:${join(dir, 'data', 'refreshd.db')}` };
      const server = await startProcess(dir, env, port);
      const healthy = spawnSync(process.execPath, ['dist/src/healthcheck.js'], { env: { ...process.env, PORT: String(port) } });
      assert.equal(healthy.status, 0);
      assert.equal((await fetch(`${server.baseUrl}/admin/`)).status, 200, 'the admin console is on by default');
      assert.equal(await server.stop(), 0);
      const down = spawnSync(process.execPath, ['dist/src/healthcheck.js'], { env: { ...process.env, PORT: String(port) } });
      assert.equal(down.status, 1);
      assert.ok(existsSync(join(dir, 'data', 'refreshd.db')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the server needs only its runtime dependencies (the image prunes the rest, the console bundle included)', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
    const imported = new Set<string>();
    for (const file of files('dist/src')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = m[1] ?? m[2]!;
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    assert.ok(imported.has('fastify'), 'the scan sees imports');
    assert.deepEqual([...imported].filter((name) => !(name in pkg.dependencies)), []);
  });

  test('the compose file runs several instances on PostgreSQL and Redis behind a load balancer', () => {
    const compose = readFileSync('compose.yaml', 'utf8');
    assert.match(compose, /REFRESHD_DATABASE_URL: postgres:\/\//);
    assert.match(compose, /replicas: [2-9]/);
    assert.match(compose, /image: redis/);
    assert.ok(existsSync('deploy/nginx.conf'));
  });

  test('behind the compose load balancer, clients cannot choose their own address', () => {
    // nginx overwrites X-Forwarded-For (an appended one starts with what the client sent), and refreshd believes
    // only private addresses, i.e. the balancer on the compose network; the value is one refreshd accepts.
    const nginx = readFileSync('deploy/nginx.conf', 'utf8');
    assert.match(nginx, /proxy_set_header X-Forwarded-For \$remote_addr;/);
    assert.doesNotMatch(nginx, /^\s*proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for/m);
    const trust = /REFRESHD_TRUST_PROXY: (\S+)/.exec(readFileSync('compose.yaml', 'utf8'))?.[1];
    assert.deepEqual(loadEnv({ REFRESHD_TRUST_PROXY: trust }).trustProxy, ['uniquelocal']);
  });

  test('docs/configuration.md is generated from the schemas and up to date', () => {
    assert.equal(readFileSync('docs/configuration.md', 'utf8'), renderConfigReference(), 'run: node dist/src/cli.js config reference > docs/configuration.md');
  });
});
