/** What every finished transfer reports. */
export interface TransferStats {
  bytes: number;
  /** CRC-32 of the whole document, 8 lower-case hex digits. */
  crc32: string;
  chunks: number;
  /** Requests sent again on the same handler. */
  retries: number;
  /** New handlers obtained after the first. */
  restarts: number;
  elapsedMs: number;
}
