// The TCP proxy's own process (see tcp-proxy.ts). It runs apart from the test so that sockets it resets can never
// keep a test process alive, and the test can always kill it. Commands arrive over IPC: cut, restore.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

const target = { host: process.argv[3] ?? '127.0.0.1', port: Number(process.argv[2]) };
const sockets = new Set<Socket>();
let server: Server | null = null;
let port = 0;
let connections = 0;

function listen(onPort: number): Promise<number> {
  const srv = createServer((client) => {
    connections++;
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  server = srv;
  return new Promise((ok, fail) => {
    srv.once('error', fail);
    srv.listen(onPort, '127.0.0.1', () => ok((srv.address() as { port: number }).port));
  });
}

async function cut(): Promise<void> {
  const srv = server;
  server = null;
  // RST, as a dead host or a killed database would.
  for (const s of sockets) {
    if (s.connecting || s.destroyed) s.destroy();
    else s.resetAndDestroy();
  }
  sockets.clear();
  if (srv) await new Promise<void>((ok) => srv.close(() => ok()));
}

process.on('message', (msg: { id: number; cmd: 'cut' | 'restore' | 'stats' }) => {
  const reply = (extra: object = {}) => process.send!({ id: msg.id, port, connections, ...extra });
  const run = msg.cmd === 'cut' ? cut() : msg.cmd === 'restore' ? (server ? Promise.resolve() : listen(port).then(() => undefined)) : Promise.resolve();
  run.then(() => reply(), (err: Error) => reply({ error: err.message }));
});
process.on('disconnect', () => process.exit(0));

port = await listen(0);
process.send!({ id: 0, port, connections });
