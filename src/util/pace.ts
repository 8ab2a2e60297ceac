// A rate, kept as a token bucket that starts empty: whoever takes units (bytes, calls) waits until
// they are paid for at `perSecond`, in the order they asked; time left unused is saved up to the
// bucket's size, `burst` units, and no more. Every transfer of one uploadMany shares one for its
// bytes; a session has one for its calls.
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortError } from '../errors.js';

export class Pace {
  readonly #msPerUnit: number;
  readonly #burstMs: number;
  /** When the units taken so far are paid for (performance.now()); at most the burst before now. */
  #paidUntil: number;

  constructor(perSecond: number, burst: number) {
    this.#msPerUnit = 1000 / perSecond;
    this.#burstMs = burst * this.#msPerUnit;
    this.#paidUntil = performance.now();
  }

  /** Waits until `units` more keep to the rate; AbortError, and the units given back, when `signal` fires first. */
  async take(units: number, signal?: AbortSignal, operation?: string): Promise<void> {
    const now = performance.now();
    const cost = units * this.#msPerUnit;
    this.#paidUntil = Math.max(this.#paidUntil, now - this.#burstMs) + cost;
    const wait = this.#paidUntil - now;
    if (wait <= 0 && !signal?.aborted) return;
    try {
      await sleep(Math.max(wait, 0), undefined, { signal });
    } catch {
      this.#paidUntil -= cost;
      throw new AbortError(signal?.reason, operation);
    }
  }
}

/** A pace of bytes, where a rate is set: a tenth of a second's worth may go at once. */
export function bytePace(bytesPerSecond: number | undefined): Pace | undefined {
  return bytesPerSecond === undefined ? undefined : new Pace(bytesPerSecond, bytesPerSecond / 10);
}

/** A pace of calls, where a rate is set: one at a time, evenly spaced. */
export function callPace(callsPerSecond: number | undefined): Pace | undefined {
  return callsPerSecond === undefined ? undefined : new Pace(callsPerSecond, 1);
}
