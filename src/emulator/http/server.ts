import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { FaultInjector, FaultPlan } from '../faults.js';
import type { EmulatorConfig } from '../options.js';
import { findOperation, findOperationIgnoringCase } from '../operations.js';
import type { OperationSpec } from '../operations.js';
import { releaseBinaries } from '../params.js';
import type { Params } from '../params.js';
import {
  actionNotRecognized,
  actionRequired,
  exceptionText,
  formRequestLengthExceeded,
  injectedHttp500,
  injectedSystemError as asmxSystemError,
  internalException,
  requestLengthExceeded,
  unknownAction,
  unknownFormMethod,
  webMethodFrame,
} from '../profiles/asmx.js';
import type { DotNetException } from '../profiles/asmx.js';
import { KESTREL_LIMITS, KESTREL_SERVER, requestLineLength, watchBodyRate } from '../profiles/aspnetcore.js';
import { bodyLimit, isAspNetCore, isClassicAsmx } from '../profiles/index.js';
import type { ResultElement } from '../result.js';
import { callOperation, injectedSystemError, performOperation } from '../service/index.js';
import type { ServiceContext } from '../service/index.js';
import type { EmulatorState } from '../state.js';
import { checkDeclaredLength, discardRest, DRAIN_LIMIT_BYTES, drain, limitedBody } from './body.js';
import { BodyTooLargeError, RequestError, UnsupportedMediaTypeError } from './errors.js';
import { FORM_CONTENT_TYPE, formProtocol, send, sendPlain, soapProtocol } from './protocols.js';
import type { Protocol } from './protocols.js';
import {
  asmxActionOf,
  operationOfAction,
  requestElementOf,
  SERVICE_NAMESPACE,
  soapActionOf,
  soapVersionOf,
} from './soap-request.js';
import type { SoapVersion } from './soap-request.js';
import { SOAP_CONTENT_TYPES, soapFaultXml } from './soap-response.js';
import { wsdlFor } from './wsdl.js';

/** The state view lives outside /srv.asmx, so it can never collide with an operation. */
export const STATE_PATH = '/__emulator/state';
/** 200 while the emulator serves: for a CI job to wait on. */
export const HEALTH_PATH = '/__emulator/health';
/** POST: forget every document, folder (but the libraries), staged handler and fault rule. */
export const RESET_PATH = '/__emulator/reset';
const SERVICE_PATH = '/srv.asmx';

export interface ServerEnvironment {
  readonly config: EmulatorConfig;
  readonly service: ServiceContext;
  readonly faults: FaultInjector;
  readonly state: () => EmulatorState;
  readonly reset: () => Promise<void>;
}

/** Ends the exchange with no reply at all. */
const dropConnection = (response: ServerResponse): void => void response.socket?.destroy();

/** The `ticket` cookie; a value with a malformed %-escape is taken as it is, so it is just an invalid ticket. */
function cookieTicket(request: IncomingMessage): string | undefined {
  const cookie = request.headers.cookie?.split(';').find((pair) => pair.trim().startsWith('ticket='));
  if (cookie === undefined) return undefined;
  const value = cookie.trim().slice('ticket='.length);
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The request target, or undefined when it is neither a path nor a valid absolute URL. */
function requestUrl(request: IncomingMessage): URL | undefined {
  try {
    return new URL(request.url ?? '/', 'http://emulator');
  } catch {
    return undefined;
  }
}

/**
 * Before an error reply to a request whose body was read only in part, reads the rest, so the connection can
 * carry the next request; when that is not possible, the reply closes the connection.
 */
async function finishBody(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!(await discardRest(request, bodyLimit(env.config)))) response.setHeader('Connection', 'close');
}

function expireCallerTicket(env: ServerEnvironment, spec: OperationSpec, params: Params, cookie: string | undefined): void {
  const param = spec.ticketParam === undefined ? undefined : params.get(spec.ticketParam);
  const ticket = typeof param === 'string' && param !== '' ? param : cookie;
  if (ticket !== undefined) env.service.tickets.revoke(ticket);
}

/** What a call comes to: a result element, or (`classic-asmx`) an exception the web method did not catch. */
type CallOutcome = { readonly element: ResultElement } | { readonly exception: DotNetException };

async function runOperation(
  env: ServerEnvironment,
  request: IncomingMessage,
  spec: OperationSpec,
  params: Params,
  plan: FaultPlan,
): Promise<CallOutcome> {
  const cookie = cookieTicket(request);
  if (plan.kinds.has('expireTicket')) expireCallerTicket(env, spec, params, cookie);
  const call = { params, cookieTicket: cookie, faults: plan.kinds };
  if (!isClassicAsmx(env.config)) {
    if (plan.kinds.has('systemError')) return { element: injectedSystemError(spec) };
    return { element: await callOperation(env.service, spec, call) };
  }
  // An ASMX web method that does not catch an exception leaves it to ASP.NET, which answers a soap:Server fault.
  if (plan.kinds.has('systemError')) return { exception: asmxSystemError(webMethodFrame(spec)) };
  const outcome = await performOperation(env.service, spec, call);
  return 'element' in outcome ? outcome : { exception: internalException(outcome.unhandled, webMethodFrame(spec)) };
}

/** One operation call, with the faults planned for it applied at their point of the exchange. */
async function serveCall(
  env: ServerEnvironment,
  request: IncomingMessage,
  response: ServerResponse,
  spec: OperationSpec,
  protocol: Protocol,
  body?: AsyncIterable<Buffer>,
): Promise<void> {
  const plan = env.faults.plan(spec.name);
  if (plan.kinds.has('dropRequest')) return dropConnection(response);
  if (plan.kinds.has('http500')) {
    await drain(request, bodyLimit(env.config));
    if (isClassicAsmx(env.config)) return protocol.writeException(response, injectedHttp500(webMethodFrame(spec)));
    return sendPlain(response, 500, '');
  }
  let params: Params;
  try {
    params = await protocol.readParams(request, spec, body);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    await finishBody(env, request, response);
    return protocol.writeRequestError(response, error);
  }
  // A slow call is held before it is processed: what it changes (a finalize consuming its handler) happens only at its end.
  if (plan.slowMs > 0) await delay(plan.slowMs);
  const outcome = await runOperation(env, request, spec, params, plan);
  try {
    // The delay comes once the call is processed, while it is answered: what the call holds (a read) stays held.
    if (plan.latencyMs > 0) await delay(plan.latencyMs);
    if (plan.kinds.has('dropReply')) return dropConnection(response);
    if ('exception' in outcome) return protocol.writeException(response, outcome.exception);
    await protocol.writeResult(response, spec, outcome.element);
  } finally {
    if ('element' in outcome) outcome.element.release?.();
    releaseBinaries(params);
  }
}

async function* replay(pieces: readonly Buffer[]): AsyncGenerator<Buffer> {
  yield* pieces;
}

/**
 * ASMX routing: SOAP 1.1 routes on the SOAPAction header when there is one, and on the request element (the
 * Body's first child) when there is none; SOAP 1.2 routes on the action parameter, then on the request element.
 * Actions are URL-decoded and compared exactly.
 */
async function asmxSoapCall(
  env: ServerEnvironment,
  request: IncomingMessage,
  response: ServerResponse,
  version: SoapVersion,
  protocol: Protocol,
): Promise<void> {
  const action = asmxActionOf(request.headers, version);
  const byAction = action === undefined ? undefined : operationOfAction(action);
  if (byAction !== undefined) return serveCall(env, request, response, byAction, protocol);
  if (version === '1.1' && action !== undefined) {
    await drain(request, bodyLimit(env.config));
    return protocol.writeRequestError(response, routingError(`Server did not recognize the value of HTTP Header SOAPAction: ${action}.`, unknownAction(action)));
  }
  const pieces: Buffer[] = [];
  for await (const piece of limitedBody(request, bodyLimit(env.config))) pieces.push(piece);
  let element: ReturnType<typeof requestElementOf>;
  try {
    element = requestElementOf(pieces);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    return protocol.writeRequestError(response, error);
  }
  const byElement = element?.uri === SERVICE_NAMESPACE ? findOperation(element.local) : undefined;
  if (byElement !== undefined) return serveCall(env, request, response, byElement, protocol, replay(pieces));
  const exception = action === undefined || action === '' ? actionRequired(version) : actionNotRecognized(action);
  protocol.writeRequestError(response, routingError(exception.message, exception));
}

const routingError = (message: string, dotnet: DotNetException): RequestError => new RequestError(message, 'Client', { dotnet });

async function soapCall(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const contentType = request.headers['content-type'] ?? '';
  const version = soapVersionOf(contentType);
  if (version === undefined || (version === '1.2' && !env.config.soap12)) {
    throw new UnsupportedMediaTypeError(contentType, SOAP_CONTENT_TYPES['1.1']);
  }
  const protocol = soapProtocol(version, env.config);
  if (isClassicAsmx(env.config)) return asmxSoapCall(env, request, response, version, protocol);
  const action = soapActionOf(request.headers, version);
  const spec = operationOfAction(action);
  if (spec !== undefined) return serveCall(env, request, response, spec, protocol);
  await drain(request, bodyLimit(env.config));
  protocol.writeRequestError(
    response,
    new RequestError(`Server did not recognize the value of HTTP Header SOAPAction: ${action}.`),
  );
}

async function serviceRoot(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse, url: URL) {
  const wantsWsdl = [...url.searchParams.keys()].some((key) => key.toLowerCase() === 'wsdl');
  if (request.method === 'GET' && wantsWsdl) {
    const serviceUrl = `http://${request.headers.host ?? 'localhost'}${SERVICE_PATH}`;
    return send(response, 200, FORM_CONTENT_TYPE, await wsdlFor(serviceUrl));
  }
  if (request.method === 'POST') return soapCall(env, request, response);
  sendPlain(response, 405, 'Use POST for SOAP, or GET ?WSDL.');
}

/** GET/POST: ASP.NET Core routes ignore the operation name's case; ASMX's HttpServerType looks it up exactly. */
async function formCall(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse, url: URL) {
  const name = url.pathname.slice(SERVICE_PATH.length + 1);
  const classic = isClassicAsmx(env.config);
  const spec = classic ? findOperation(name) : findOperationIgnoringCase(name);
  if (spec === undefined && classic) {
    await drain(request, bodyLimit(env.config));
    return sendPlain(response, 500, `${exceptionText(unknownFormMethod(name))}\r\n`);
  }
  if (spec === undefined) return sendPlain(response, 404, 'Unknown operation.');
  if (request.method !== 'GET' && request.method !== 'POST') return sendPlain(response, 405, 'Use GET or POST.');
  return serveCall(env, request, response, spec, formProtocol(url, env.config));
}

async function route(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = requestUrl(request);
  if (url === undefined) return sendPlain(response, 400, 'Invalid request target.');
  const path = url.pathname.toLowerCase();
  if (isAspNetCore(env.config) && requestLineLength(request) > KESTREL_LIMITS.maxRequestLineSize) return sendEmpty(response, 414);
  checkDeclaredLength(request, bodyLimit(env.config));
  if (path === STATE_PATH && request.method === 'GET') {
    return send(response, 200, 'application/json; charset=utf-8', JSON.stringify(env.state()));
  }
  if (path === HEALTH_PATH && request.method === 'GET') {
    return send(response, 200, 'application/json; charset=utf-8', JSON.stringify({ ok: true, profile: env.config.profile }));
  }
  if (path === RESET_PATH && request.method === 'POST') {
    await drain(request, bodyLimit(env.config));
    await env.reset();
    return send(response, 200, 'application/json; charset=utf-8', JSON.stringify({ ok: true }));
  }
  if (path === SERVICE_PATH) return serviceRoot(env, request, response, url);
  if (path.startsWith(`${SERVICE_PATH}/`)) return formCall(env, request, response, url);
  sendPlain(response, 404, 'Not found.');
}

/** Kestrel's refusals: a status, no body, and the connection closed. */
function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'Content-Length': 0, Connection: 'close' });
  response.end();
}

/** The SOAP version of a POST to the service endpoint, or undefined for anything else. */
function soapVersionOfRequest(request: IncomingMessage): SoapVersion | undefined {
  if (request.method !== 'POST' || requestUrl(request)?.pathname.toLowerCase() !== SERVICE_PATH) return undefined;
  return soapVersionOf(request.headers['content-type'] ?? '');
}

/**
 * A body over the limit. The rest of it is read first (up to DRAIN_LIMIT_BYTES), so that a client still sending
 * receives the reply instead of a reset. Documented and minimal servers answer HTTP 413, Kestrel (`aspnetcore`)
 * with an empty body. `classic-asmx` is
 * ASP.NET's maxRequestLength: a declared length over it is an HttpException (a soap:Server fault, or text over
 * GET/POST, HTTP 500); a chunked body that grows past it has the connection reset, as a worker that stops
 * reading does.
 */
async function refuseBody(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse, error: BodyTooLargeError) {
  const classic = isClassicAsmx(env.config);
  if (classic && !error.declared) return void request.socket.resetAndDestroy();
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared <= DRAIN_LIMIT_BYTES) await discardRest(request, DRAIN_LIMIT_BYTES);
  response.setHeader('Connection', 'close');
  if (isAspNetCore(env.config)) return sendEmpty(response, 413);
  if (!classic) return sendPlain(response, 413, error.message);
  const version = soapVersionOfRequest(request);
  if (version === undefined) return sendPlain(response, 500, `${exceptionText(formRequestLengthExceeded())}\r\n`);
  send(response, 500, SOAP_CONTENT_TYPES[version], soapFaultXml(version, 'Server', exceptionText(requestLengthExceeded())));
}

async function failRequest(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse, error: unknown): Promise<void> {
  if (response.headersSent || response.socket === null || response.socket.destroyed) return dropConnection(response);
  if (error instanceof BodyTooLargeError) return refuseBody(env, request, response, error);
  await finishBody(env, request, response);
  const classic = isClassicAsmx(env.config);
  // ASMX answers a content type it cannot read with 415 and no body (the fault is written only for 500).
  if (error instanceof UnsupportedMediaTypeError) return classic ? send(response, 415, FORM_CONTENT_TYPE, '') : sendPlain(response, 415, error.message);
  const version = classic ? soapVersionOfRequest(request) : undefined;
  if (version !== undefined) return soapProtocol(version, env.config).writeException(response, internalException(error, 'System.Web.Services.Protocols.WebServiceHandler.CoreProcessRequest()'));
  sendPlain(response, 500, error instanceof Error ? error.message : String(error));
}

/** Method, path and SOAP action only: query strings and bodies may hold passwords and tickets. */
function logRequest(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse): void {
  const log = env.config.log;
  if (log === undefined) return;
  const started = Date.now();
  const path = requestUrl(request)?.pathname ?? '(invalid target)';
  const action = soapActionOf(request.headers, soapVersionOf(request.headers['content-type'] ?? '') ?? '1.1');
  response.on('close', () => {
    const outcome = response.writableFinished ? String(response.statusCode) : 'dropped';
    log(`${request.method ?? '?'} ${path}${action === '' ? '' : ` ${action}`} ${outcome} ${Date.now() - started}ms`);
  });
}

/**
 * Node's limits for the profile: the whole request within readTimeoutMs; for Kestrel (`aspnetcore`), the headers
 * within it (RequestHeadersTimeout) and its header size, the body held to the minimum data rate instead.
 */
function serverLimits(config: EmulatorConfig) {
  const timeout = config.readTimeoutMs;
  const checking = { headersTimeout: timeout, connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(timeout / 4))) };
  if (!isAspNetCore(config)) return { ...checking, requestTimeout: timeout };
  return { ...checking, requestTimeout: 0, maxHeaderSize: KESTREL_LIMITS.maxRequestHeadersTotalSize };
}

/** Runs each task once the one before it has ended, in the order they came. */
function oneAtATime(): (task: () => Promise<void>) => void {
  let line = Promise.resolve();
  return (task) => void (line = line.then(task, task));
}

/** Resolves once the response is sent, or its connection is gone. */
function answered(response: ServerResponse): Promise<void> {
  return finished(response).catch(() => undefined);
}

export function createEmulatorServer(env: ServerEnvironment): Server {
  const kestrel = isAspNetCore(env.config);
  const inLine = oneAtATime();
  const serve = (request: IncomingMessage, response: ServerResponse): Promise<void> =>
    route(env, request, response).catch((error: unknown) => failRequest(env, request, response, error));
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    logRequest(env, request, response);
    if (kestrel) {
      response.setHeader('Server', KESTREL_SERVER);
      watchBodyRate(request, response);
    }
    if (env.config.oneConnection) inLine(() => serve(request, response).then(() => answered(response)));
    else void serve(request, response);
  };
  const limits = serverLimits(env.config);
  const tls = env.config.tls;
  const clientCertificates = tls?.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {};
  const server = tls ? createHttpsServer({ ...limits, key: tls.key, cert: tls.cert, ...clientCertificates }, handle) : createServer(limits, handle);
  if (kestrel) server.keepAliveTimeout = KESTREL_LIMITS.keepAliveTimeoutMs;
  return server;
}
