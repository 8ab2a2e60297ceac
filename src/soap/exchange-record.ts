// A per-call record of the wire exchange, for debugging; built from redacted text only (redaction.ts).
import type { IncomingHttpHeaders } from 'node:http';

export interface ExchangeRecord {
  operation: string;
  soapVersion: '1.1' | '1.2';
  url: string;
  durationMs: number;
  request: { headers: Readonly<Record<string, string>>; body: string };
  response?: { status: number; headers: IncomingHttpHeaders; body: string };
  /** The error the call failed with (class and message), if it failed. */
  error?: string;
}

export type ExchangeListener = (record: ExchangeRecord) => void;
