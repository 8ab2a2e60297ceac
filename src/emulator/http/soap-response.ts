import type { OperationSpec } from '../operations.js';
import type { ResultElement } from '../result.js';
import { elementXml, escapeText, wrapXml, XML_DECLARATION } from '../xml/writer.js';
import type { XmlReply } from '../xml/writer.js';
import type { FaultCode } from './errors.js';
import { ENVELOPE_NAMESPACES, SERVICE_NAMESPACE } from './soap-request.js';
import type { SoapVersion } from './soap-request.js';

export const SOAP_CONTENT_TYPES: Record<SoapVersion, string> = {
  '1.1': 'text/xml; charset=utf-8',
  '1.2': 'application/soap+xml; charset=utf-8',
};

const envelopeHead = (version: SoapVersion): string =>
  `${XML_DECLARATION}<soap:Envelope xmlns:soap="${ENVELOPE_NAMESPACES[version]}"` +
  ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>`;
const ENVELOPE_TAIL = '</soap:Body></soap:Envelope>';

const envelope = (version: SoapVersion, body: string): string => envelopeHead(version) + body + ENVELOPE_TAIL;

/**
 * How the result element leaves the service namespace: `xmlns=""` before its attributes, after them (where .NET's
 * XmlWriter puts a declaration it had to add), or not at all, so that it inherits tempuri.
 */
export type ResultNamespace = 'empty' | 'empty-last' | 'inherit';

function withNamespace(element: ResultElement, resultXmlns: ResultNamespace) {
  const declaration = ['xmlns', ''] as const;
  if (resultXmlns === 'empty') return [declaration, ...element.attributes];
  return resultXmlns === 'empty-last' ? [...element.attributes, declaration] : element.attributes;
}

/** `{Op}Response/{Op}Result/<element>`; the element carries `xmlns=""` unless it should inherit tempuri. */
export function soapResultXml(
  version: SoapVersion,
  spec: OperationSpec,
  element: ResultElement,
  resultXmlns: ResultNamespace,
): XmlReply {
  const inner = elementXml(element.name, withNamespace(element, resultXmlns), element.content, element.children);
  const { name } = spec;
  const before = `${envelopeHead(version)}<${name}Response xmlns="${SERVICE_NAMESPACE}"><${name}Result>`;
  return wrapXml(before, inner, `</${name}Result></${name}Response>${ENVELOPE_TAIL}`);
}

const SOAP12_CODES: Record<FaultCode, string> = { Client: 'Sender', Server: 'Receiver', VersionMismatch: 'VersionMismatch' };

export function soapFaultXml(version: SoapVersion, code: FaultCode, message: string): string {
  const fault =
    version === '1.1'
      ? `<faultcode>soap:${code}</faultcode><faultstring>${escapeText(message)}</faultstring><detail />`
      : `<soap:Code><soap:Value>soap:${SOAP12_CODES[code]}</soap:Value></soap:Code>` +
        `<soap:Reason><soap:Text xml:lang="en">${escapeText(message)}</soap:Text></soap:Reason><soap:Detail />`;
  return envelope(version, `<soap:Fault>${fault}</soap:Fault>`);
}
