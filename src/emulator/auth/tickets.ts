import { canonicalGuid, newGuid } from '../guid.js';
import type { Account } from './accounts.js';

export interface Session {
  readonly ticket: string;
  readonly account: Account;
  expiresAt: number;
}

/** The server's in-memory ticket cache, with a sliding expiry. */
export class TicketStore {
  readonly #sessions = new Map<string, Session>();
  readonly #ttlMs: number;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  issue(account: Account): Session {
    const session = { ticket: newGuid(), account, expiresAt: Date.now() + this.#ttlMs };
    this.#sessions.set(session.ticket, session);
    return session;
  }

  /** The live session of a ticket, without extending it. */
  peek(ticket: string): Session | undefined {
    const key = canonicalGuid(ticket);
    const session = key === undefined ? undefined : this.#sessions.get(key);
    if (session === undefined || session.expiresAt > Date.now()) return session;
    this.#sessions.delete(session.ticket);
    return undefined;
  }

  /** The live session of a ticket, whose expiry slides because it was used. */
  use(ticket: string): Session | undefined {
    const session = this.peek(ticket);
    if (session !== undefined) this.extend(session);
    return session;
  }

  extend(session: Session): void {
    session.expiresAt = Date.now() + this.#ttlMs;
  }

  revoke(ticket: string): boolean {
    const key = canonicalGuid(ticket);
    return key !== undefined && this.#sessions.delete(key);
  }

  liveCount(): number {
    return [...this.#sessions.keys()].filter((ticket) => this.peek(ticket) !== undefined).length;
  }
}
