/** Query parameters that carry credentials in connection URLs (libpq's `password`, `sslpassword`, API keys, …). */
const SECRET_PARAM = /pass|secret|token|key|auth|sig/i;

/**
 * A URL safe to print: the password (and any credential-like query value) replaced by `***`. Parsed with the WHATWG
 * URL parser, as the drivers parse it, so a password holding `@`, `:` or `/` is redacted whole. Text that does not
 * parse as a URL is replaced entirely, keeping only a scheme-like prefix: better to print too little than a secret.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(text)?.[0] ?? '';
    return `${scheme}[unparsable URL redacted]`;
  }
  if (url.password !== '') url.password = '***';
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) url.searchParams.set(name, '***');
  }
  return url.href;
}
