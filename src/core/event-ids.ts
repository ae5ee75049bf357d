import { secureRandomBytes } from './random.js';

/**
 * Log ids sort by time: 15 zero-padded digits of epoch milliseconds, then 4 hex digits of a per-process sequence
 * (so one instance's events keep their order within a millisecond), then 6 random hex digits (so instances never
 * collide). The primary key thus orders events for checkpoint paging and makes "older than" a range.
 */
export function eventIdPrefix(dateMs: number): string {
  return String(Math.max(0, Math.floor(dateMs))).padStart(15, '0');
}

let sequence = 0;

export function newEventId(dateMs: number): string {
  sequence = (sequence + 1) & 0xffff;
  return eventIdPrefix(dateMs) + sequence.toString(16).padStart(4, '0') + secureRandomBytes(3).toString('hex');
}

export const EVENT_ID_PATTERN = /^\d{15}[0-9a-f]{10}$/;
