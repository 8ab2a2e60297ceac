// What a transfer has spent: retries (each one a resend the decision table allowed, counted by the
// retry site), restarts with a new handler (bounded by maxRestarts) and halvings of the chunk size
// (bounded by the smallest size the service grants, not by maxRestarts). One counter per transfer,
// which the retry site and the restart loop report to.
import type { Action } from './decisions.js';

export class TransferBudget {
  #retries = 0;
  #restarts = 0;
  #halvings = 0;

  constructor(readonly maxRestarts: number) {}

  /** Calls repeated so far. */
  get retries(): number {
    return this.#retries;
  }

  /** Times the transfer started over with a new handler, halvings included. */
  get restarts(): number {
    return this.#restarts + this.#halvings;
  }

  /** The restarts that count against maxRestarts. */
  get budgetedRestarts(): number {
    return this.#restarts;
  }

  retried(): void {
    this.#retries += 1;
  }

  /** Spends a restart of the table's kind; false when none is left. */
  startOver(action: Extract<Action, 'restart' | 'restart-keep' | 'halve'>): boolean {
    if (action === 'halve') {
      this.#halvings += 1;
      return true;
    }
    if (this.#restarts >= this.maxRestarts) return false;
    this.#restarts += 1;
    return true;
  }
}
