import { ApiError } from './api-error.js';
import type { Auth } from './auth.js';
import { endpoint } from './endpoints.js';
import type { ErrorEnvelope } from './types.js';

type Query = Record<string, string | number | boolean | undefined>;

/** A path segment: user ids such as auth0|alice carry characters that must be escaped. */
export const seg = encodeURIComponent;

/**
 * The public Management API, as any client calls it: a bearer token, JSON, Auth0's error envelope. A 401 (the
 * token expired or was revoked) brings the sign-in back, and the call is made again with the new token.
 */
export class ManagementApi {
  constructor(private readonly auth: Auth) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.#call<T>('GET', path, query, undefined);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>('PATCH', path, {}, body);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.#call<T>('POST', path, {}, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.#call<T>('DELETE', path, {}, undefined);
  }

  async #call<T>(method: string, path: string, query: Query, body: unknown): Promise<T> {
    const url = new URL(endpoint(`api/v2${path}`));
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    for (;;) {
      const token = await this.auth.token();
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch {
        throw new ApiError(0, 'network', 'refreshd could not be reached. Check your connection and try again.');
      }
      if (res.status === 401) {
        this.auth.expire(token);
        continue;
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!res.ok) {
        const e = parsed as Partial<ErrorEnvelope> | undefined;
        throw new ApiError(res.status, e?.errorCode ?? `http_${res.status}`, e?.message ?? `The request failed (HTTP ${res.status}).`);
      }
      return parsed as T;
    }
  }
}
