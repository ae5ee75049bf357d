import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); playwright-core drives it and downloads no browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * What a page did that it should not: script errors, console errors, requests to any other origin. Chromium logs
 * every 4xx answer to fetch as a console error ("Failed to load resource"); `expectedStatuses` lists those a step
 * provoked on purpose (a wrong secret, an invalid edit, an expired token, a missing scope).
 */
export class PageWatch {
  readonly errors: string[] = [];
  readonly foreignRequests: string[] = [];

  constructor(page: Page, origin: string, expectedStatuses: readonly number[]) {
    const expected = new RegExp(`^Failed to load resource: the server responded with a status of (${expectedStatuses.join('|')}) `);
    page.on('pageerror', (e) => this.errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !expected.test(m.text())) this.errors.push(`console: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (new URL(r.url()).origin !== origin) this.foreignRequests.push(r.url());
    });
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's WCAG 2.x A/AA and best-practice rules on the page as it is; returns the serious and critical ones. */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern; the page itself loads no axe.
  if ((await page.evaluate('typeof axe')) === 'undefined') await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))",
  )) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
