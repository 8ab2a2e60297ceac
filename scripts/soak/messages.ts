// What the soak script and its emulator child process say to each other over IPC.

export type ToEmulator = { readonly type: 'sample' } | { readonly type: 'stop' };

export type FromEmulator =
  | { readonly type: 'ready'; readonly url: string }
  | ({ readonly type: 'sample' } & EmulatorSample);

export interface EmulatorSample {
  readonly rss: number;
  readonly faultsInjected: number;
}

export interface EmulatorChildOptions {
  readonly user: string;
  readonly password: string;
  /** `--faults` syntax; empty for none. */
  readonly faults: string;
  readonly seed: number;
}
