// oneConnection (serve --one-connection): the emulator serves one connection at a time, as a server
// with a single worker does. Requests sent together are answered one after the other, in the order
// they came; by default they are answered side by side. Each call is held 200 ms (a latency
// fault), so the difference shows in when the replies come back.
import { envelope11, soap, TEMPURI, useEmulator } from './helpers.js';

const HELD_MS = 200;
const SLOW = { faults: [{ op: 'DocumentExists' as const, kind: 'latency' as const, latencyMs: HELD_MS }] };

/** When each of `count` DocumentExists calls sent together came back, in ms from the start, in the order they were sent. */
async function together(url: string, ticket: string, count: number): Promise<number[]> {
  const started = performance.now();
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const { result } = await soap(url, 'DocumentExists', [['AuthenticationTicket', ticket], ['Path', `/Public/none-${index}.txt`]]);
      // A document that is not there: answered all the same.
      expect(result.attrs.success).toBe('false');
      return performance.now() - started;
    }),
  );
}

describe('oneConnection: true', () => {
  const running = useEmulator({ ...SLOW, oneConnection: true });

  it('answers requests sent together one after the other: each waits for the one before it', async () => {
    const ends = await together(running.emulator.url, running.ticket, 3);
    const sorted = [...ends].sort((a, b) => a - b);
    expect(sorted[1]! - sorted[0]!).toBeGreaterThanOrEqual(0.8 * HELD_MS);
    expect(sorted[2]! - sorted[1]!).toBeGreaterThanOrEqual(0.8 * HELD_MS);
    expect(sorted[2]).toBeGreaterThanOrEqual(2.8 * HELD_MS);
  });

  it('a request whose client gives up while it waits in line does not hold up the ones after it', async () => {
    const { url } = running.emulator;
    const exists = (path: string) => soap(url, 'DocumentExists', [['AuthenticationTicket', running.ticket], ['Path', path]]);
    const first = exists('/Public/first.txt');
    const body = envelope11('DocumentExists', [['AuthenticationTicket', running.ticket], ['Path', '/Public/abandoned.txt']]);
    const headers = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${TEMPURI}DocumentExists"` };
    await expect(fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(HELD_MS / 2) })).rejects.toThrow();
    const { result } = await exists('/Public/after.txt');
    expect(result.attrs.success).toBe('false');
    expect((await first).result.attrs.success).toBe('false');
  });
});

describe('by default', () => {
  const running = useEmulator(SLOW);

  it('answers requests sent together side by side', async () => {
    const ends = await together(running.emulator.url, running.ticket, 3);
    expect(Math.max(...ends) - Math.min(...ends)).toBeLessThan(0.8 * HELD_MS);
  });
});
