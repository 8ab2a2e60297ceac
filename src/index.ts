export { createSrvClient, DEFAULT_TIMEOUT_MS } from './soap/client.js';
export type { CallOptions, SrvClient, SrvClientOptions, SoapVersion } from './soap/client.js';
export type { ExchangeListener, ExchangeRecord } from './soap/exchange.js';
export type { TlsOptions, TransportOptions } from './soap/transport.js';
export * from './errors.js';
export type * from '../generated/srv.js';
export { OPERATIONS, OPERATION_NAMES } from '../generated/srv.js';
