import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { FaultInjector, FaultPlan } from '../faults.js';
import type { EmulatorConfig } from '../options.js';
import { findOperationIgnoringCase } from '../operations.js';
import type { OperationSpec } from '../operations.js';
import type { Params } from '../params.js';
import type { ResultElement } from '../result.js';
import { callOperation, injectedSystemError } from '../service/index.js';
import type { ServiceContext } from '../service/index.js';
import type { EmulatorState } from '../state.js';
import { elementXml, XML_DECLARATION } from '../xml/writer.js';
import { checkDeclaredLength, discardRest, drain, limitedBody } from './body.js';
import { BodyTooLargeError, RequestError, UnsupportedMediaTypeError } from './errors.js';
import { readFormParams } from './form-request.js';
import { operationOfAction, readSoapParams, soapActionOf, soapVersionOf } from './soap-request.js';
import type { SoapVersion } from './soap-request.js';
import { SOAP_CONTENT_TYPES, soapFaultXml, soapResultXml } from './soap-response.js';
import { wsdlFor } from './wsdl.js';

/** The state view lives outside /srv.asmx, so it can never collide with an operation. */
export const STATE_PATH = '/__emulator/state';
const SERVICE_PATH = '/srv.asmx';
const FORM_CONTENT_TYPE = 'text/xml; charset=utf-8';

export interface ServerEnvironment {
  readonly config: EmulatorConfig;
  readonly service: ServiceContext;
  readonly faults: FaultInjector;
  readonly state: () => EmulatorState;
}

/** How one protocol reads a call and writes its outcome. */
interface Protocol {
  readParams(request: IncomingMessage, spec: OperationSpec): Promise<Params>;
  writeResult(response: ServerResponse, spec: OperationSpec, element: ResultElement): void;
  writeRequestError(response: ServerResponse, error: RequestError): void;
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

const sendPlain = (response: ServerResponse, status: number, text: string): void =>
  send(response, status, 'text/plain; charset=utf-8', text);

function soapProtocol(version: SoapVersion, config: EmulatorConfig): Protocol {
  const contentType = SOAP_CONTENT_TYPES[version];
  return {
    readParams: (request, spec) => readSoapParams(limitedBody(request, config.maxBodyBytes), version, spec),
    writeResult: (response, spec, element) =>
      send(response, 200, contentType, soapResultXml(version, spec, element, config.resultXmlns)),
    writeRequestError: (response, error) =>
      send(response, 500, contentType, soapFaultXml(version, error.faultCode, error.message)),
  };
}

/** GET and POST answer the bare result element. */
function formProtocol(url: URL, config: EmulatorConfig): Protocol {
  return {
    readParams: (request, spec) => readFormParams(request, url, spec, config.maxBodyBytes),
    writeResult: (response, _spec, element) =>
      send(response, 200, FORM_CONTENT_TYPE, XML_DECLARATION + elementXml(element.name, element.attributes, element.text)),
    writeRequestError: (response, error) => sendPlain(response, 400, error.message),
  };
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
  if (!(await discardRest(request, env.config.maxBodyBytes))) response.setHeader('Connection', 'close');
}

function expireCallerTicket(env: ServerEnvironment, spec: OperationSpec, params: Params, cookie: string | undefined): void {
  const param = spec.ticketParam === undefined ? undefined : params.get(spec.ticketParam);
  const ticket = typeof param === 'string' && param !== '' ? param : cookie;
  if (ticket !== undefined) env.service.tickets.revoke(ticket);
}

async function runOperation(
  env: ServerEnvironment,
  request: IncomingMessage,
  spec: OperationSpec,
  params: Params,
  plan: FaultPlan,
): Promise<ResultElement> {
  const cookie = cookieTicket(request);
  if (plan.latencyMs > 0) await delay(plan.latencyMs);
  if (plan.kinds.has('expireTicket')) expireCallerTicket(env, spec, params, cookie);
  if (plan.kinds.has('systemError')) return injectedSystemError(spec);
  return callOperation(env.service, spec, { params, cookieTicket: cookie, faults: plan.kinds });
}

/** One operation call, with the faults planned for it applied at their point of the exchange. */
async function serveCall(
  env: ServerEnvironment,
  request: IncomingMessage,
  response: ServerResponse,
  spec: OperationSpec,
  protocol: Protocol,
): Promise<void> {
  const plan = env.faults.plan(spec.name);
  if (plan.kinds.has('dropRequest')) return dropConnection(response);
  if (plan.kinds.has('http500')) {
    await drain(request);
    return sendPlain(response, 500, '');
  }
  let params: Params;
  try {
    params = await protocol.readParams(request, spec);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    await finishBody(env, request, response);
    return protocol.writeRequestError(response, error);
  }
  const element = await runOperation(env, request, spec, params, plan);
  if (plan.kinds.has('dropReply')) return dropConnection(response);
  protocol.writeResult(response, spec, element);
}

async function soapCall(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const contentType = request.headers['content-type'] ?? '';
  const version = soapVersionOf(contentType);
  if (version === undefined || (version === '1.2' && !env.config.soap12)) {
    throw new UnsupportedMediaTypeError(contentType, SOAP_CONTENT_TYPES['1.1']);
  }
  const protocol = soapProtocol(version, env.config);
  const action = soapActionOf(request.headers, version);
  const spec = operationOfAction(action);
  if (spec !== undefined) return serveCall(env, request, response, spec, protocol);
  await drain(request);
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

async function formCall(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse, url: URL) {
  const spec = findOperationIgnoringCase(url.pathname.slice(SERVICE_PATH.length + 1));
  if (spec === undefined) return sendPlain(response, 404, 'Unknown operation.');
  if (request.method !== 'GET' && request.method !== 'POST') return sendPlain(response, 405, 'Use GET or POST.');
  return serveCall(env, request, response, spec, formProtocol(url, env.config));
}

async function route(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = requestUrl(request);
  if (url === undefined) return sendPlain(response, 400, 'Invalid request target.');
  const path = url.pathname.toLowerCase();
  checkDeclaredLength(request, env.config.maxBodyBytes);
  if (path === STATE_PATH && request.method === 'GET') {
    return send(response, 200, 'application/json; charset=utf-8', JSON.stringify(env.state()));
  }
  if (path === SERVICE_PATH) return serviceRoot(env, request, response, url);
  if (path.startsWith(`${SERVICE_PATH}/`)) return formCall(env, request, response, url);
  sendPlain(response, 404, 'Not found.');
}

async function failRequest(env: ServerEnvironment, request: IncomingMessage, response: ServerResponse, error: unknown): Promise<void> {
  if (response.headersSent || response.socket === null || response.socket.destroyed) return dropConnection(response);
  if (error instanceof BodyTooLargeError) {
    response.setHeader('Connection', 'close');
    return sendPlain(response, 413, error.message);
  }
  await finishBody(env, request, response);
  if (error instanceof UnsupportedMediaTypeError) return sendPlain(response, 415, error.message);
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

export function createEmulatorServer(env: ServerEnvironment): Server {
  const timeout = env.config.readTimeoutMs;
  const limits = {
    requestTimeout: timeout,
    headersTimeout: timeout,
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(timeout / 4))),
  };
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    logRequest(env, request, response);
    route(env, request, response).catch((error: unknown) => failRequest(env, request, response, error));
  };
  const tls = env.config.tls;
  if (!tls) return createServer(limits, handle);
  const clientCertificates = tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {};
  return createHttpsServer({ ...limits, key: tls.key, cert: tls.cert, ...clientCertificates }, handle);
}
