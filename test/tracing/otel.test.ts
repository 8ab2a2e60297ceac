// srv-asmx-client/otel with the real OpenTelemetry SDK (in-memory exporter), against the emulator
// behind a small forwarding server that notes each request's traceparent: a transfer span under the
// caller's span, a CLIENT span per call under it with the RPC attributes, a lost reply a retry event,
// a failure an ERROR status, and every request carrying its call span's trace context.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { context, createTraceState, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { NotFoundError, SrvSession } from '../../src/index.js';
import { instrument } from '../../src/otel/index.js';
import { FAST_RETRY } from '../helpers/fast-retry.js';

const CHUNK = 262_144;
const PASSWORD = 'Otel-Secret-Pa55';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager().enable();
const tracer = provider.getTracer('test');

let emulator: RunningEmulator;
let front: http.Server;
let url: string;
/** The traceparent and tracestate of each request, by SOAPAction's operation. */
let seen: Array<{ operation: string; traceparent: string | undefined; tracestate: string | undefined }>;
let uninstrument: () => void;
let session: SrvSession;

beforeAll(async () => {
  context.setGlobalContextManager(contextManager);
  emulator = await startEmulator({ users: [{ user: 'otel', password: PASSWORD }] });
  const upstream = new URL(emulator.url);
  front = http.createServer((request, response) => {
    const operation = /"?http:\/\/tempuri\.org\/(\w+)"?/.exec(String(request.headers['soapaction'] ?? ''))?.[1] ?? '?';
    const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
    seen.push({ operation, traceparent: header('traceparent'), tracestate: header('tracestate') });
    const forward = http.request({ host: upstream.hostname, port: upstream.port, path: request.url, method: request.method, headers: request.headers }, (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    forward.on('error', () => response.destroy());
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(front.address() as AddressInfo).port}${upstream.pathname}`;
});
beforeEach(async () => {
  seen = [];
  exporter.reset();
  uninstrument = instrument({ tracerProvider: provider });
  session = await SrvSession.login({ url, user: 'otel', password: PASSWORD, retry: FAST_RETRY });
});
afterEach(async () => {
  await session.close();
  uninstrument();
  emulator.faults.clear();
  const everything = JSON.stringify(exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
  expect(everything).not.toContain(PASSWORD);
  expect(everything).not.toContain(session.ticket);
});
afterAll(async () => {
  front.closeAllConnections();
  await new Promise((resolve) => front.close(resolve));
  await emulator.close();
  context.disable();
  await provider.shutdown();
});

const spans = () => exporter.getFinishedSpans();
const named = (name: string) => spans().filter((s) => s.name === name);
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;

test('an upload: its span under the caller’s, a CLIENT span per call under it, a lost reply a retry event, traceparent on every request', async () => {
  emulator.faults.add({ op: 'UploadFileChunk', kind: 'dropReply', at: [2] });
  const bytes = randomBytes(CHUNK * 2 + 5);
  const outer = tracer.startSpan('caller');
  const result = await context.with(trace.setSpan(context.active(), outer), () => session.upload(bytes, '/Public/otel-upload.bin', { chunkSize: CHUNK }));
  outer.end();

  const [upload] = named('srv-asmx upload');
  expect(upload?.spanContext().traceId).toBe(outer.spanContext().traceId);
  expect(parentOf(upload)).toBe(outer.spanContext().spanId);
  expect(upload?.attributes).toMatchObject({ 'srv_asmx.path': '/Public/otel-upload.bin', 'srv_asmx.chunk_size': CHUNK, 'srv_asmx.bytes': bytes.length, 'srv_asmx.crc32': result.crc32, 'srv_asmx.retries': 1 });

  const chunks = named('UploadFileChunk');
  expect(chunks.length).toBeGreaterThanOrEqual(3);
  for (const chunk of chunks) {
    expect(chunk.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(chunk)).toBe(upload?.spanContext().spanId);
    expect(chunk.attributes).toMatchObject({
      'rpc.system': 'soap',
      'rpc.service': 'srv',
      'rpc.method': 'UploadFileChunk',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(url).port),
      'srv_asmx.handler': expect.stringMatching(/^[0-9a-f-]{36}$/i),
      'http.response.status_code': 200,
    });
    expect(chunk.attributes['srv_asmx.length']).toBe(chunk.attributes['srv_asmx.bytes']);
  }
  const resent = chunks.find((chunk) => chunk.attributes['srv_asmx.attempts'] === 2);
  expect(resent?.events.map((e) => e.name)).toContain('srv-asmx.retry');
  expect(resent?.events.find((e) => e.name === 'srv-asmx.retry')?.attributes).toMatchObject({ 'srv_asmx.reason': 'maybe-applied', 'srv_asmx.operation': 'UploadFileChunk', 'srv_asmx.attempt': 1 });
  if (result.restarts > 0) expect(upload?.events.map((e) => e.name)).toContain('srv-asmx.restart');

  // Every request of the upload carried the trace context of its own call's span.
  const callSpans = spans().filter((s) => s.kind === SpanKind.CLIENT && s.spanContext().traceId === outer.spanContext().traceId);
  const uploadRequests = seen.filter((r) => r.operation !== 'AuthenticateUser' && r.operation !== 'LogOut');
  expect(uploadRequests.length).toBeGreaterThanOrEqual(callSpans.length);
  const ids = new Set(callSpans.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  for (const request of uploadRequests) expect(ids).toContain(request.traceparent);
});

test('a direct session.call is a CLIENT span under the active span, and its tracestate goes out too', async () => {
  const outer = tracer.startSpan('caller');
  const parent = trace.setSpanContext(context.active(), { ...outer.spanContext(), traceState: createTraceState('vendor=abc') });
  await context.with(parent, () => session.call('FolderExists', { Path: '/Public' }));
  outer.end();
  const [call] = named('FolderExists');
  expect(call?.kind).toBe(SpanKind.CLIENT);
  expect(parentOf(call)).toBe(outer.spanContext().spanId);
  expect(seen.find((r) => r.operation === 'FolderExists')).toEqual({
    operation: 'FolderExists',
    traceparent: `00-${call?.spanContext().traceId}-${call?.spanContext().spanId}-01`,
    tracestate: 'vendor=abc',
  });
});

test('a failed download sets ERROR with the class and message on its span and on the failed call’s', async () => {
  const error = await session.download('/Public/otel-missing.bin', new Writable({ write: (_c, _e, done) => done() })).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NotFoundError);
  const [download] = named('srv-asmx download');
  expect(download?.status).toEqual({ code: SpanStatusCode.ERROR, message: `NotFoundError: ${(error as Error).message}` });
  expect(download?.attributes['error.type']).toBe('NotFoundError');
  const failed = spans().filter((s) => s.kind === SpanKind.CLIENT && s.status.code === SpanStatusCode.ERROR);
  expect(failed).toHaveLength(1);
  expect(parentOf(failed[0])).toBe(download?.spanContext().spanId);
});

test('a dead ticket shows as a relogin event, and the new login as a span under the call', async () => {
  emulator.faults.add({ op: 'DocumentExists', kind: 'expireTicket', at: [1] });
  await session.exists('/Public/otel-nothing.bin');
  const [exists] = named('DocumentExists');
  expect(exists?.events.map((e) => e.name)).toContain('srv-asmx.relogin');
  const logins = named('AuthenticateUser');
  expect(logins).toHaveLength(2);
  expect(parentOf(logins[1])).toBe(exists?.spanContext().spanId);
});

test('uninstrumented, no span is made and no traceparent is sent', async () => {
  uninstrument();
  exporter.reset();
  seen = [];
  await session.call('FolderExists', { Path: '/Public' });
  expect(spans()).toEqual([]);
  expect(seen.every((r) => r.traceparent === undefined)).toBe(true);
  uninstrument = instrument({ tracerProvider: provider });
});
