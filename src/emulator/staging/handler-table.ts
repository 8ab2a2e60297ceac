import { rm } from 'node:fs/promises';
import type { Session } from '../auth/tickets.js';
import { Refusal } from '../result.js';

/** A server-side handler whose content lives in a staged file. */
export interface StagedHandler {
  readonly id: string;
  readonly ticket: string;
  readonly userName: string;
  readonly file: string;
  lastActivity: number;
  /** Calls on one handler run one after another (see exclusively). */
  queue: Promise<unknown>;
}

export type HandlerBinding = 'session' | 'user';

export interface ClaimErrors {
  readonly missing: string;
  readonly foreign: string;
}

/** Whether the session of a ticket is still alive. */
export type SessionAlive = (ticket: string) => boolean;

/**
 * Live handlers of one kind: inactivity expiry, session binding, and removal of their staged files.
 * A handler bound to a session dies with it: no later call can use it.
 */
export class HandlerTable<H extends StagedHandler> {
  readonly #handlers = new Map<string, H>();
  readonly #pendingRemovals = new Set<Promise<void>>();
  readonly #ttlMs: number;
  readonly #binding: HandlerBinding;
  readonly #sessionAlive: SessionAlive;

  constructor(ttlMs: number, binding: HandlerBinding, sessionAlive: SessionAlive) {
    this.#ttlMs = ttlMs;
    this.#binding = binding;
    this.#sessionAlive = sessionAlive;
  }

  add(handler: H): void {
    this.#handlers.set(handler.id, handler);
  }

  belongsTo(handler: H, session: Session): boolean {
    return this.#binding === 'session'
      ? handler.ticket === session.ticket
      : handler.userName.toLowerCase() === session.account.name.toLowerCase();
  }

  /** The caller's live handler, marked active; refuses a missing, expired or foreign one. */
  claim(id: string, session: Session, errors: ClaimErrors): H {
    const handler = this.live(id);
    if (handler === undefined) throw new Refusal(errors.missing);
    if (!this.belongsTo(handler, session)) throw new Refusal(errors.foreign);
    handler.lastActivity = Date.now();
    return handler;
  }

  live(id: string): H | undefined {
    this.#expireIdle();
    return this.#handlers.get(id);
  }

  list(): H[] {
    this.#expireIdle();
    return [...this.#handlers.values()];
  }

  /** Removes every handler, its staged file with it. */
  async clear(): Promise<void> {
    await Promise.all(this.list().map((handler) => this.remove(handler)));
  }

  /** Forgets the handler and deletes its staged file (a file that is already gone is fine). */
  async remove(handler: H): Promise<void> {
    this.#handlers.delete(handler.id);
    await rm(handler.file, { force: true });
  }

  /** Waits for the staged files of expired handlers to be deleted. */
  async settle(): Promise<void> {
    await Promise.all(this.#pendingRemovals);
  }

  #expireIdle(): void {
    const oldest = Date.now() - this.#ttlMs;
    for (const handler of this.#handlers.values()) {
      const orphaned = this.#binding === 'session' && !this.#sessionAlive(handler.ticket);
      if (handler.lastActivity >= oldest && !orphaned) continue;
      const removal = this.remove(handler).finally(() => this.#pendingRemovals.delete(removal));
      this.#pendingRemovals.add(removal);
    }
  }
}

/** Runs `task` after every earlier task on the same handler has finished, so appends and removals never interleave. */
export function exclusively<T>(handler: StagedHandler, task: () => Promise<T>): Promise<T> {
  const run = handler.queue.then(task, task);
  handler.queue = run.catch(() => undefined);
  return run;
}
