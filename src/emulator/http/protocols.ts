/** How SOAP and the GET/POST forms read a call and write its outcome, in the configured server profile. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorConfig } from '../options.js';
import type { OperationSpec } from '../operations.js';
import type { Params } from '../params.js';
import { exceptionText, unhandled } from '../profiles/asmx.js';
import type { DotNetException } from '../profiles/asmx.js';
import { bodyLimit, isClassicAsmx, resultNamespace, shapeResult } from '../profiles/index.js';
import type { ResultElement } from '../result.js';
import { elementXml, wrapXml, XML_DECLARATION } from '../xml/writer.js';
import { declaredLength, limitedBody } from './body.js';
import type { RequestError } from './errors.js';
import { readFormParams } from './form-request.js';
import { sendXml } from './send-xml.js';
import { readSoapParams } from './soap-request.js';
import type { SoapVersion } from './soap-request.js';
import { SOAP_CONTENT_TYPES, soapFaultXml, soapResultXml } from './soap-response.js';

export const FORM_CONTENT_TYPE = 'text/xml; charset=utf-8';

export interface Protocol {
  /** `body` replaces the request's own body when it has already been read (ASMX routing on the request element). */
  readParams(request: IncomingMessage, spec: OperationSpec, body?: AsyncIterable<Buffer>): Promise<Params>;
  /** Resolves once the result is written, or abandoned by the peer. */
  writeResult(response: ServerResponse, spec: OperationSpec, element: ResultElement): Promise<void>;
  writeRequestError(response: ServerResponse, error: RequestError): void;
  /** `classic-asmx`: an exception that nothing caught. The connection closes after the reply. */
  writeException(response: ServerResponse, exception: DotNetException): void;
}

export function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

export const sendPlain = (response: ServerResponse, status: number, text: string): void =>
  send(response, status, 'text/plain; charset=utf-8', text);

/** The .NET text of a request error that carries none: the emulator's own message as an InvalidOperationException. */
const requestErrorText = (error: RequestError): string =>
  exceptionText(error.dotnet ?? { type: 'System.InvalidOperationException', message: error.message });

/**
 * A SOAP fault as System.Web.Services writes it: HTTP 500, except that a request error caused by XML that is not
 * well-formed is HTTP 400 with an empty body (SetResponseErrorCode; WriteFault writes only for 500).
 */
function asmxSoapProtocol(version: SoapVersion): Omit<Protocol, 'readParams' | 'writeResult'> {
  const contentType = SOAP_CONTENT_TYPES[version];
  return {
    writeRequestError: (response, error) => {
      if (error.malformed) return send(response, 400, contentType, '');
      send(response, 500, contentType, soapFaultXml(version, error.faultCode, requestErrorText(error)));
    },
    writeException: (response, exception) => {
      response.setHeader('Connection', 'close');
      send(response, 500, contentType, soapFaultXml(version, 'Server', exceptionText(unhandled(exception))));
    },
  };
}

export function soapProtocol(version: SoapVersion, config: EmulatorConfig): Protocol {
  const contentType = SOAP_CONTENT_TYPES[version];
  const limit = bodyLimit(config);
  const namespace = resultNamespace(config);
  const common = {
    readParams: (request: IncomingMessage, spec: OperationSpec, body?: AsyncIterable<Buffer>) =>
      readSoapParams(body ?? limitedBody(request, limit), version, spec, declaredLength(request)),
    writeResult: (response: ServerResponse, spec: OperationSpec, element: ResultElement) =>
      sendXml(response, 200, contentType, soapResultXml(version, spec, shapeResult(config, spec, element), namespace)),
  };
  if (isClassicAsmx(config)) return { ...common, ...asmxSoapProtocol(version) };
  return {
    ...common,
    writeRequestError: (response, error) =>
      send(response, 500, contentType, soapFaultXml(version, error.faultCode, error.message)),
    writeException: (response, exception) => sendPlain(response, 500, exceptionText(exception)),
  };
}

/**
 * GET and POST answer the bare result element. Their failures: HTTP 400 with the message; for `classic-asmx`,
 * HttpServerProtocol.WriteException's HTTP 500 with the exception as text/plain.
 */
export function formProtocol(url: URL, config: EmulatorConfig): Protocol {
  const limit = bodyLimit(config);
  const classic = isClassicAsmx(config);
  return {
    readParams: (request, spec) => readFormParams(request, url, spec, limit),
    writeResult: (response, spec, element) => {
      const shaped = shapeResult(config, spec, element);
      return sendXml(response, 200, FORM_CONTENT_TYPE, wrapXml(XML_DECLARATION, elementXml(shaped.name, shaped.attributes, shaped.content, shaped.children), ''));
    },
    writeRequestError: (response, error) =>
      classic ? sendPlain(response, 500, `${requestErrorText(error)}\r\n`) : sendPlain(response, 400, error.message),
    writeException: (response, exception) => {
      response.setHeader('Connection', 'close');
      sendPlain(response, 500, `${exceptionText(exception)}\r\n`);
    },
  };
}
