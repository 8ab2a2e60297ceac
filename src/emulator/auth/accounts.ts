import type { EmulatorUser } from '../options.js';

export interface Account {
  readonly id: number;
  readonly name: string;
  readonly password: string;
}

export class Accounts {
  readonly #accounts: readonly Account[];
  readonly #sysadmin: string | undefined;

  constructor(users: readonly EmulatorUser[], sysadminAccount: string | undefined) {
    this.#accounts = users.map((user, index) => ({ id: index + 1, name: user.user, password: user.password }));
    this.#sysadmin = sysadminAccount?.toLowerCase();
  }

  /** Login names are case-insensitive, passwords are not. */
  verify(uid: string, password: string): Account | undefined {
    const account = this.byName(uid);
    return account !== undefined && account.password === password ? account : undefined;
  }

  /** Login names are case-insensitive. */
  byName(name: string): Account | undefined {
    return this.#accounts.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  }

  mayObtainTickets(account: Account): boolean {
    return account.name.toLowerCase() !== this.#sysadmin;
  }
}
