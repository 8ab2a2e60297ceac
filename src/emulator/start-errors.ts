/** Why startEmulator could not start: each a clear one-line message, and a code to tell them apart. */

export type EmulatorStartErrorCode =
  /** The port is taken. */
  | 'EADDRINUSE'
  /** Another failure to listen (a host that is not local, a port the process may not use). */
  | 'LISTEN_FAILED'
  /** Another emulator uses the data directory (DataDirLockedError). */
  | 'DATA_DIR_LOCKED'
  /** The data directory names something that is not a directory. */
  | 'DATA_DIR_NOT_A_DIRECTORY'
  /** The data directory cannot be created, read or written. */
  | 'DATA_DIR_UNUSABLE'
  /** `store.json` is not a store file the emulator can read. */
  | 'STORE_CORRUPT';

export class EmulatorStartError extends Error {
  readonly code: EmulatorStartErrorCode;

  constructor(message: string, code: EmulatorStartErrorCode, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'EmulatorStartError';
    this.code = code;
  }
}

/** The data directory is locked by another emulator, of this process or another one (`pid`, when the lock says). */
export class DataDirLockedError extends EmulatorStartError {
  readonly dataDir: string;
  readonly pid: number | undefined;

  constructor(dataDir: string, pid: number | undefined) {
    const holder = pid === undefined ? '' : ` (pid ${pid})`;
    super(`the data directory ${dataDir} is in use by another emulator${holder}`, 'DATA_DIR_LOCKED');
    this.name = 'DataDirLockedError';
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

/** A one-line reason from a node error: its message, without the stack. */
export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
