// `srv-asmx-client/otel`: the library's diagnostics channels as OpenTelemetry spans. A transfer is a
// span under the caller's active span, each call a CLIENT span under it (after the RPC semantic
// conventions), retries, restarts and new logins events on the span they happened in, and every
// HTTP request carries the call span's W3C traceparent. Only this entry imports @opentelemetry/api.
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics_channel from 'node:diagnostics_channel';
import { context, isSpanContextValid, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import {
  CALL_CHANNEL,
  provideRequestHeaders,
  RETRY_CHANNEL,
  TRANSFER_CHANNEL,
  type CallTraceContext,
  type RetryTraceEvent,
  type TransferTraceContext,
} from '../tracing/channels.js';
import { PACKAGE_VERSION } from '../package-files.js';

export interface InstrumentOptions {
  /** Where the spans go (default: the global tracer provider). */
  tracerProvider?: TracerProvider | undefined;
}

/**
 * Turns the library's transfers, calls and retries into spans, until the function it returns is
 * called. One instrumentation at a time: a second call replaces the first.
 */
export function instrument(options: InstrumentOptions = {}): () => void {
  active?.();
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer('srv-asmx-client', PACKAGE_VERSION);
  const stop = subscribe(tracer);
  active = () => {
    stop();
    active = undefined;
  };
  return active;
}

let active: (() => void) | undefined;

function subscribe(tracer: Tracer): () => void {
  // The span of the transfer or call under way, for the spans and events inside it.
  const store = new AsyncLocalStorage<Context>();
  const spans = new WeakMap<object, Span>();
  const parent = () => store.getStore() ?? context.active();
  const transfers = diagnostics_channel.tracingChannel<unknown, TransferTraceContext>(TRANSFER_CHANNEL);
  const calls = diagnostics_channel.tracingChannel<unknown, CallTraceContext>(CALL_CHANNEL);
  const retries = diagnostics_channel.channel(RETRY_CHANNEL);

  const startTransfer = (traced: TransferTraceContext): Context => {
    const from = parent();
    const span = tracer.startSpan(`srv-asmx ${traced.kind}`, { kind: SpanKind.INTERNAL, attributes: { 'srv_asmx.path': traced.path, 'srv_asmx.chunk_size': traced.chunkSize } }, from);
    spans.set(traced, span);
    return trace.setSpan(from, span);
  };
  const startCall = (traced: CallTraceContext): Context => {
    const from = parent();
    const span = tracer.startSpan(traced.operation, { kind: SpanKind.CLIENT, attributes: callAttributes(traced) }, from);
    spans.set(traced, span);
    return trace.setSpan(from, span);
  };
  const none = () => undefined;
  const transferHandlers: diagnostics_channel.TracingChannelSubscribers<TransferTraceContext> = {
    start: none,
    end: none,
    asyncStart: none,
    asyncEnd: (traced: TransferTraceContext) => {
      const span = spans.get(traced);
      const { result } = traced;
      if (result) span?.setAttributes({ 'srv_asmx.bytes': result.bytes, 'srv_asmx.crc32': result.crc32, 'srv_asmx.retries': result.retries, 'srv_asmx.restarts': result.restarts });
      span?.end();
    },
    error: (traced: TransferTraceContext) => failed(spans.get(traced), traced.error),
  };
  const callHandlers: diagnostics_channel.TracingChannelSubscribers<CallTraceContext> = {
    start: none,
    end: none,
    asyncStart: none,
    asyncEnd: (traced: CallTraceContext) => {
      const span = spans.get(traced);
      span?.setAttributes(callAttributes(traced));
      span?.end();
    },
    error: (traced: CallTraceContext) => failed(spans.get(traced), traced.error),
  };
  const onRetry = (message: unknown) => {
    const event = message as RetryTraceEvent;
    const attributes: Attributes = { 'srv_asmx.reason': event.reason, 'srv_asmx.message': event.message };
    if (event.operation !== undefined) attributes['srv_asmx.operation'] = event.operation;
    if (event.attempt !== undefined) attributes['srv_asmx.attempt'] = event.attempt;
    if (event.path !== undefined) attributes['srv_asmx.path'] = event.path;
    trace.getSpan(parent())?.addEvent(`srv-asmx.${event.kind}`, attributes);
  };

  transfers.start.bindStore(store, startTransfer);
  calls.start.bindStore(store, startCall);
  transfers.subscribe(transferHandlers);
  calls.subscribe(callHandlers);
  retries.subscribe(onRetry);
  provideRequestHeaders((traced) => traceHeaders(spans.get(traced)));
  return () => {
    provideRequestHeaders(undefined);
    retries.unsubscribe(onRetry);
    calls.unsubscribe(callHandlers);
    transfers.unsubscribe(transferHandlers);
    calls.start.unbindStore(store);
    transfers.start.unbindStore(store);
  };
}

function callAttributes(traced: CallTraceContext): Attributes {
  const url = new URL(traced.url);
  const attributes: Attributes = {
    'rpc.system': 'soap',
    'rpc.service': 'srv',
    'rpc.method': traced.operation,
    'server.address': url.hostname,
    'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    'url.full': traced.url,
    'srv_asmx.binding': traced.binding,
    'srv_asmx.attempts': traced.attempts,
  };
  if (traced.handler !== undefined) attributes['srv_asmx.handler'] = traced.handler;
  if (traced.offset !== undefined) attributes['srv_asmx.offset'] = traced.offset;
  if (traced.length !== undefined) attributes['srv_asmx.length'] = traced.length;
  if (traced.bytes !== undefined) attributes['srv_asmx.bytes'] = traced.bytes;
  if (traced.status !== undefined) attributes['http.response.status_code'] = traced.status;
  return attributes;
}

/** ERROR, with the error's class and message: the library's errors are redacted already. */
function failed(span: Span | undefined, error: unknown): void {
  if (!span) return;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  span.setAttribute('error.type', name);
  span.addEvent('exception', { 'exception.type': name, 'exception.message': message });
  span.setStatus({ code: SpanStatusCode.ERROR, message: `${name}: ${message}` });
}

/** The W3C Trace Context of a call's span, for its HTTP requests. */
function traceHeaders(span: Span | undefined): Record<string, string> | undefined {
  const spanContext = span?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const headers: Record<string, string> = { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}` };
  const state = spanContext.traceState?.serialize();
  if (state) headers['tracestate'] = state;
  return headers;
}
