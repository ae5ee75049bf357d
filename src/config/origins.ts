/**
 * Why `value` is not a web origin as browsers send it in `Origin` (scheme://host[:port], lower case, no path or
 * trailing slash), or null when it is one. Origins are compared exactly, so one that could never match is refused.
 */
export function originProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https origin';
  if (url.origin !== value) return `must be an origin alone, as browsers send it: "${url.origin}"`;
  return null;
}
