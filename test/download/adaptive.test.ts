// The adaptive read limit (concurrency 'auto'), fed by a simulated server on a simulated clock: it
// grows while more reads bring more throughput, settles low where reads only queue behind each
// other, and halves on a failed or stalled read, once for the reads that were in flight together.
import { AdaptiveLimit } from '../../src/transfers/download/adaptive.js';
import { AUTO_MAX_CONCURRENCY, AUTO_START_CONCURRENCY } from '../../src/index.js';

const CHUNK = 262_144;

/** How a simulated server answers a read sent at `now`: when it comes back. */
type Server = (now: number) => number;

/** Each read takes `ms`, however many are in flight: a round trip between sites. */
const distant = (ms: number): Server => (now) => now + ms;

/** One read at a time, `ms` each; the others wait in line. */
function oneConnection(ms: number): Server {
  let free = 0;
  return (now) => (free = Math.max(free, now) + ms);
}

/** Runs `reads` reads against `server` as the limit allows; the limit after each read came back. */
function simulate(server: Server, reads: number, limit = new AdaptiveLimit()): number[] {
  const inFlight: Array<{ sent: number; received: number }> = [];
  const limits: number[] = [];
  let now = 0;
  for (let sent = 0; limits.length < reads; ) {
    for (; inFlight.length < limit.limit && sent < reads; sent += 1) inFlight.push({ sent: now, received: server(now) });
    inFlight.sort((a, b) => a.received - b.received);
    const read = inFlight.shift() as { sent: number; received: number };
    now = read.received;
    limit.read({ bytes: CHUNK, sent: read.sent, received: now, failed: false });
    limits.push(limit.limit);
  }
  return limits;
}

test('it starts with two reads in flight', () => {
  expect(new AdaptiveLimit().limit).toBe(AUTO_START_CONCURRENCY);
  expect(AUTO_START_CONCURRENCY).toBe(2);
});

test('against a distant server, where each added read adds throughput, it grows by one a round up to its most', () => {
  const limits = simulate(distant(200), 60);
  expect(limits.slice(0, 2)).toEqual([2, 3]);
  expect(Math.max(...limits)).toBe(AUTO_MAX_CONCURRENCY);
  expect(limits.at(-1)).toBe(AUTO_MAX_CONCURRENCY);
  // Never more than one step up at a time.
  for (let i = 1; i < limits.length; i += 1) expect((limits[i] as number) - (limits[i - 1] as number)).toBeLessThanOrEqual(1);
});

test('against a server that serves one connection at a time, it tries one more read, sees nothing gained, and stays at two or fewer most of the time', () => {
  const limits = simulate(oneConnection(20), 200);
  expect(Math.max(...limits)).toBeLessThanOrEqual(3);
  expect(limits.filter((limit) => limit <= 2).length).toBeGreaterThan(0.9 * limits.length);
  expect(limits.at(-1)).toBeLessThanOrEqual(3);
});

test('a read that had to be made again halves the limit, once for the reads that were in flight with it', () => {
  const limit = new AdaptiveLimit();
  simulate(distant(100), 30, limit);
  const before = limit.limit;
  expect(before).toBeGreaterThanOrEqual(6);
  limit.read({ bytes: CHUNK, sent: 10_000, received: 10_100, failed: true });
  expect(limit.limit).toBe(Math.floor(before / 2));
  // Another of the same flight failing too is the same trouble.
  limit.read({ bytes: CHUNK, sent: 10_000, received: 10_101, failed: true });
  expect(limit.limit).toBe(Math.floor(before / 2));
  // One sent after the halving fails again: halved again, never below one.
  for (let i = 0; i < 4; i += 1) limit.read({ bytes: CHUNK, sent: 10_200 + i * 100, received: 10_250 + i * 100, failed: true });
  expect(limit.limit).toBe(1);
});

test('a read far slower than the ones before it is a stall, and halves the limit; reads a little slower do not', () => {
  const limit = new AdaptiveLimit();
  simulate(distant(300), 30, limit);
  const before = limit.limit;
  limit.read({ bytes: CHUNK, sent: 100_000, received: 100_500, failed: false });
  expect(limit.limit).toBeGreaterThanOrEqual(before - 1);
  limit.read({ bytes: CHUNK, sent: 100_000, received: 105_000, failed: false });
  expect(limit.limit).toBe(Math.floor(before / 2));
});

test('after a halving it holds a few rounds, then grows again while throughput grows', () => {
  const limit = new AdaptiveLimit();
  simulate(distant(100), 30, limit);
  limit.read({ bytes: CHUNK, sent: 10_000, received: 10_100, failed: true });
  const halved = limit.limit;
  const later = simulate((now) => 20_000 + now + 100, 80, limit);
  expect(later.slice(0, 2 * halved)).toEqual(Array(2 * halved).fill(halved));
  expect(later.at(-1)).toBe(AUTO_MAX_CONCURRENCY);
});
