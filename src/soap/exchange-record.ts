// A per-call record of the wire exchange, for debugging; built from redacted text only (redaction.ts).
import type { IncomingHttpHeaders } from 'node:http';
import type { BindingName } from '../../generated/srv.js';

export interface ExchangeRecord {
  operation: string;
  /** The id shared by the records of one call's attempts (its resends and the repeat after a new login). */
  callId: string;
  /** Which attempt of the call this exchange is, from 1. */
  attempt: number;
  /** The WSDL binding the call went by. */
  binding: BindingName;
  /** POST, or GET for a call the 'http-get' binding sent by GET. */
  method: 'GET' | 'POST';
  /** The client's SOAP version ('1.1' for the HTTP bindings, which carry no envelope). */
  soapVersion: '1.1' | '1.2';
  url: string;
  durationMs: number;
  request: { headers: Readonly<Record<string, string>>; body: string };
  response?: { status: number; headers: IncomingHttpHeaders; body: string };
  /** The error the call failed with (class and message), if it failed. */
  error?: string;
}

export type ExchangeListener = (record: ExchangeRecord) => void;
