import UAParser from 'ua-parser-js';

/**
 * A user agent in words, as support staff would say it: "Mobile Safari 17 on iOS 17.1 (Apple iPhone)". The
 * parsing is ua-parser-js's; a user agent it does not know (an HTTP library, a custom app) is shown as it is.
 */
export function deviceInWords(userAgent: string | null | undefined): string {
  const ua = (userAgent ?? '').trim();
  if (!ua) return 'Unknown device';
  const { browser, os, device } = new UAParser(ua).getResult();
  const browserText = [browser.name, browser.major ?? browser.version].filter(Boolean).join(' ');
  const osText = [os.name, os.version].filter(Boolean).join(' ');
  const model = [device.vendor, device.model].filter(Boolean).join(' ');
  if (!browserText && !osText) return `Unrecognised client: ${ua.length > 60 ? `${ua.slice(0, 59)}…` : ua}`;
  let words = browserText || 'Unknown browser';
  if (osText) words += ` on ${osText}`;
  if (model) words += ` (${model})`;
  return words;
}
