import { appendFileSync } from 'node:fs';
import type { TestContext } from 'node:test';

/** REFRESHD_SOAK=1 (npm run test:soak) runs the long variants; npm test runs the short ones. */
export const SOAK = process.env.REFRESHD_SOAK === '1';

/** `normal` in npm test, `soak` under npm run test:soak; REFRESHD_SCALE multiplies either (e.g. 0.5 on a slow box). */
export function scaled(normal: number, soak: number): number {
  const factor = Number(process.env.REFRESHD_SCALE ?? 1);
  return Math.max(1, Math.round((SOAK ? soak : normal) * (Number.isFinite(factor) && factor > 0 ? factor : 1)));
}

/**
 * Reports the figures of a run (trials, crashes, outage seconds…) as a test diagnostic, and appends them as one
 * JSON line to $REFRESHD_FIGURES_FILE when set (RELIABILITY.md's tables are written from such a file).
 */
export function reportFigures(t: TestContext, name: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ name, soak: SOAK, ...figures });
  t.diagnostic(`figures ${line}`);
  if (process.env.REFRESHD_FIGURES_FILE) appendFileSync(process.env.REFRESHD_FIGURES_FILE, line + '\n');
}

/** Runs `fn` over `items` with at most `width` at a time. */
export async function inBatches<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}
