/**
 * How long a rotated-in signing key is published before it signs, by default: one hour. A verifier learns a new
 * key when its cached JWKS expires, and it must have it before the first token signed with it. The caches to
 * outlast: jose's `createRemoteJWKSet` and everything built on it (express-oauth2-jwt-bearer, openid-client) keep
 * a JWKS 10 minutes (`cacheMaxAge`), jwks-rsa 10 minutes (`cacheMaxAge`), Spring Security's Nimbus source 5
 * minutes; refreshd's own `Cache-Control: max-age=60` on the JWKS adds a minute for HTTP caches in between, and
 * its instances re-read keys every 30 s. An hour is several times the longest of these. Most of these verifiers
 * also re-fetch on an unknown `kid`, but not all, and only after a cool-down (jose 30 s) or a rate limit
 * (jwks-rsa 10 a minute): the delay is what makes a rotation invisible to them.
 */
export const DEFAULT_KEY_ACTIVATION_DELAY_SECONDS = 3600;

/** The longest activation delay accepted (a week): beyond it an operator meant something else. */
export const MAX_KEY_ACTIVATION_DELAY_SECONDS = 7 * 86_400;
