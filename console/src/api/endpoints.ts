/**
 * Every URL is relative to the console's page (/admin/), so the console works wherever refreshd is mounted,
 * including under a path prefix added by a proxy, and never talks to another origin (the CSP forbids it anyway).
 */
export const endpoint = (path: string): string => new URL(`../${path}`, document.baseURI).href;
