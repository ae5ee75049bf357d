import { Agent } from 'node:https';
import { createConnection, type Socket } from 'node:net';
import { createServer, type Server } from 'node:tls';

/**
 * A self-signed certificate for 127.0.0.1 and localhost (valid until 2126), for tests only: the private key is
 * public, it protects nothing. Made with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj "/CN=refreshd interop test"
 *  -addext subjectAltName=IP:127.0.0.1,DNS:localhost -addext basicConstraints=critical,CA:TRUE`.
 */
export const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBxDCCAWmgAwIBAgIUdn7Wsxo3gz8LGnak3rnGxTPRklswCgYIKoZIzj0EAwIw
IDEeMBwGA1UEAwwVcmVmcmVzaGQgaW50ZXJvcCB0ZXN0MCAXDTI2MTIwMjA4NDY1
MVoYDzIxMjYxMTA4MDg0NjUxWjAgMR4wHAYDVQQDDBVyZWZyZXNoZCBpbnRlcm9w
IHRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASpv++S6vbKoe8S/QadKDqz
dh1m96TVBEKpCsl/IuLcN1C5j6S8563pGBO36aECt1omb+veE9df5h4Jp/3XRQMT
o38wfTAdBgNVHQ4EFgQUVve1d1eHLoYjlWK4dUVdw5mM5iAwHwYDVR0jBBgwFoAU
Vve1d1eHLoYjlWK4dUVdw5mM5iAwGgYDVR0RBBMwEYcEfwAAAYIJbG9jYWxob3N0
MA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgKEMAoGCCqGSM49BAMCA0kA
MEYCIQCGQgGs6VB0w4FdglfvdH+KmSc65LRqsRFObPwtv9f3DQIhAMOAgbB7J/Tz
TyyPuhIUDcqSBPULiwtfIcqGoMPzNToB
-----END CERTIFICATE-----
`;

const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgNgkqyHaoOGoJ+FHc
iyEjZf4xPePBRoXo1A6iMfahThKhRANCAASpv++S6vbKoe8S/QadKDqzdh1m96TV
BEKpCsl/IuLcN1C5j6S8563pGBO36aECt1omb+veE9df5h4Jp/3XRQMT
-----END PRIVATE KEY-----
`;

/**
 * TLS termination in front of a plain-HTTP refreshd, as a production proxy does: libraries that insist on
 * https (and take an `agent`, not a `fetch`) reach the server through it and trust `TEST_CERT` via `agent`.
 */
export class TlsFront {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #target = 0;
  readonly agent = new Agent({ ca: TEST_CERT, keepAlive: false });

  private constructor() {
    this.#server = createServer({ key: TEST_KEY, cert: TEST_CERT }, (client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: this.#target });
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.#sockets.delete(client);
        this.#sockets.delete(upstream);
      };
      this.#sockets.add(client).add(upstream);
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
  }

  /** Listens on a free loopback port; the target is set once the server behind it is up. */
  static async listen(): Promise<TlsFront> {
    const front = new TlsFront();
    await new Promise<void>((ok, fail) => {
      front.#server.once('error', fail);
      front.#server.listen(0, '127.0.0.1', () => ok());
    });
    return front;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  forwardTo(port: number): void {
    this.#target = port;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((ok) => this.#server.close(() => ok()));
  }
}
