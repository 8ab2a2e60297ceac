// How many reads of one handler a download keeps in flight when the caller leaves it to the
// download (concurrency 'auto'), decided from what the reads show, round by round (a round ends
// once as many reads as the limit have come back). It starts with a few; adds one while the
// throughput of a round grows by more than a tenth over the round before; goes back to the
// earlier level when an added read brought nothing (reads queue behind each other at the server,
// or the bandwidth is used up), and tries again a few rounds later, twice as many after each
// fruitless try; halves on a read that failed (and was made again) or stalled (far slower than the
// reads before it), at most once for the reads that were in flight together. Additive increase,
// multiplicative decrease, as TCP does.

/** Reads in flight at the start. */
export const AUTO_START = 2;
/** Reads in flight at most. */
export const AUTO_MAX = 8;
/** An added read stays when a round's throughput is more than this much above the round's before. */
const GAIN = 1.1;
/** Rounds held at a level after a halving or a first step back, before one more read is tried; each further step back doubles them, up to MAX_HOLD_ROUNDS. */
const HOLD_ROUNDS = 4;
const MAX_HOLD_ROUNDS = 64;
/** A read this many times slower than the usual, and slower than STALL_FLOOR_MS, stalled. */
const STALL_FACTOR = 4;
const STALL_FLOOR_MS = 1_000;

/** What a read that came back shows: its bytes, when it was sent and came back (performance.now()), and whether it had to be made again. */
export interface ReadSample {
  readonly bytes: number;
  readonly sent: number;
  readonly received: number;
  readonly failed: boolean;
}

/** How many reads may be in flight, told of each read that comes back. */
export interface ReadLimit {
  readonly limit: number;
  read(sample: ReadSample): void;
}

/** A limit the caller fixed. */
export function fixedLimit(limit: number): ReadLimit {
  return { limit, read: () => undefined };
}

interface Round {
  readonly started: number;
  reads: number;
  bytes: number;
}

export class AdaptiveLimit implements ReadLimit {
  #limit = AUTO_START;
  /** The round under way; the first starts when its first read was sent. */
  #round: Round | undefined;
  /** The level before the last added read, and its round's throughput (bytes per ms). */
  #base: { readonly limit: number; readonly throughput: number } | undefined;
  #hold = 0;
  /** Rounds to hold after the next step back. */
  #holdAfterStepBack = HOLD_ROUNDS;
  /** A moving average of how long a read takes, in ms. */
  #usualMs: number | undefined;
  /** Reads sent before this were in flight at the last halving, which they already caused. */
  #lastCut = -Infinity;

  get limit(): number {
    return this.#limit;
  }

  read(sample: ReadSample): void {
    const ms = sample.received - sample.sent;
    const stalled = this.#usualMs !== undefined && ms > Math.max(STALL_FLOOR_MS, STALL_FACTOR * this.#usualMs);
    this.#usualMs = this.#usualMs === undefined ? ms : 0.75 * this.#usualMs + 0.25 * ms;
    if ((sample.failed || stalled) && sample.sent >= this.#lastCut) return this.halve(sample.received);
    const round = (this.#round ??= { started: sample.sent, reads: 0, bytes: 0 });
    round.reads += 1;
    round.bytes += sample.bytes;
    if (round.reads >= this.#limit) this.endRound(round, sample.received);
  }

  private endRound(round: Round, now: number): void {
    const throughput = round.bytes / Math.max(now - round.started, 0.001);
    this.#round = { started: now, reads: 0, bytes: 0 };
    const base = this.#base;
    if (this.#hold > 0 || base === undefined || this.#limit <= base.limit || throughput > base.throughput * GAIN) {
      // A round held, a first one, or one after a step down measures its level; one after a read that paid measures it too.
      if (this.#hold > 0) this.#hold -= 1;
      else if (base !== undefined && this.#limit > base.limit) this.#holdAfterStepBack = HOLD_ROUNDS;
      this.#base = { limit: this.#limit, throughput };
      if (this.#hold === 0) this.#limit = Math.min(AUTO_MAX, this.#limit + 1);
      return;
    }
    // The added read brought nothing: back to the level before it, for longer each time.
    this.#limit = base.limit;
    this.#hold = this.#holdAfterStepBack;
    this.#holdAfterStepBack = Math.min(MAX_HOLD_ROUNDS, 2 * this.#holdAfterStepBack);
  }

  private halve(now: number): void {
    this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    this.#lastCut = now;
    this.#base = undefined;
    this.#hold = HOLD_ROUNDS;
    this.#round = { started: now, reads: 0, bytes: 0 };
  }
}
