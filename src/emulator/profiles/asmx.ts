/**
 * What a .NET Framework System.Web.Services (ASMX) endpoint writes when something goes wrong, for the
 * `classic-asmx` profile. A local request sees `customErrors` off (its default is RemoteOnly), so a fault string
 * is the exception's ToString(): type, message, inner exceptions and stack frames, as System.Exception writes them.
 */
import { OPERATION_NAMES } from '../operations.js';
import type { OperationSpec, ParamType } from '../operations.js';
import { INJECTED_SYSTEM_ERROR } from '../service/messages.js';

/** A .NET exception as ToString() shows it. */
export interface DotNetException {
  /** Full type name, e.g. `System.IO.IOException`. */
  readonly type: string;
  readonly message: string;
  readonly inner?: DotNetException;
  /** Frames, innermost first, without the leading `   at `. */
  readonly frames?: readonly string[];
}

const NEWLINE = '\r\n';

/** System.Exception.ToString(). */
export function exceptionText(exception: DotNetException): string {
  let text = exception.message === '' ? exception.type : `${exception.type}: ${exception.message}`;
  if (exception.inner !== undefined) {
    text += ` ---> ${exceptionText(exception.inner)}${NEWLINE}   --- End of inner exception stack trace ---`;
  }
  const frames = exception.frames ?? [];
  if (frames.length > 0) text += NEWLINE + frames.map((frame) => `   at ${frame}`).join(NEWLINE);
  return text;
}

const SOAP_EXCEPTION = 'System.Web.Services.Protocols.SoapException';

/** The frames of SoapServerProtocol.Initialize, where routing and the request stream are set up. */
const INITIALIZE_FRAMES = [
  'System.Web.Services.Protocols.SoapServerProtocol.Initialize()',
  'System.Web.Services.Protocols.ServerProtocol.SetContext(Type type, HttpContext context, HttpRequest request, HttpResponse response)',
  'System.Web.Services.Protocols.ServerProtocolFactory.Create(Type type, HttpContext context, HttpRequest request, HttpResponse response, Boolean& abortProcessing)',
];

const DOTNET_TYPES: Readonly<Record<ParamType, string>> = {
  string: 'String',
  int: 'Int32',
  short: 'Int16',
  boolean: 'Boolean',
  base64: 'Byte[]',
};

/** Where the emulated service's code would be: one web method per operation, each at its own line. */
const SOURCE_FILE = 'C:\\inetpub\\wwwroot\\srv\\App_Code\\Srv.asmx.cs';

export function webMethodFrame(spec: OperationSpec): string {
  const parameters = spec.params.map((param) => `${DOTNET_TYPES[param.type]} ${param.name}`).join(', ');
  return `Srv.${spec.name}(${parameters}) in ${SOURCE_FILE}:line ${120 + OPERATION_NAMES.indexOf(spec.name) * 37}`;
}

/** An exception the web method did not catch: ASMX wraps it in a SoapException with the soap:Server code. */
export const unhandled = (inner: DotNetException): DotNetException => ({
  type: SOAP_EXCEPTION,
  message: 'Server was unable to process request.',
  inner,
});

/** The exception a web method throws for an error the emulator itself ran into. */
export function internalException(error: unknown, frame: string): DotNetException {
  // Duck-typed: errors of node:fs may come from another realm (a test runner's VM context).
  const { message, code } = typeof error === 'object' && error !== null ? (error as { message?: unknown; code?: unknown }) : {};
  const io = typeof code === 'string';
  if (typeof message !== 'string') return { type: 'System.InvalidOperationException', message: String(error), frames: [frame] };
  return { type: io ? 'System.IO.IOException' : 'System.InvalidOperationException', message, frames: [frame] };
}

/** `systemError`: the web method throws instead of answering `SystemError:` in-band. */
export const injectedSystemError = (frame: string): DotNetException => ({
  type: 'System.IO.IOException',
  message: INJECTED_SYSTEM_ERROR,
  frames: [frame],
});

/** `http500`: the web method fails on a back end that does not answer. */
export const injectedHttp500 = (frame: string): DotNetException => ({
  type: 'System.TimeoutException',
  message: `The operation has timed out. (${INJECTED_SYSTEM_ERROR})`,
  frames: [frame],
});

/** ASP.NET's maxRequestLength, hit while SoapServerProtocol.Initialize takes the request stream. */
export const requestLengthExceeded = (): DotNetException => ({
  type: SOAP_EXCEPTION,
  message: 'There was an exception running the extensions specified in the config file.',
  inner: maxRequestLengthException(['System.Web.HttpRequest.get_InputStream()', 'System.Web.Services.Protocols.SoapServerProtocol.Initialize()']),
  frames: INITIALIZE_FRAMES,
});

/** The same limit hit by the GET/POST protocols, which read the form. */
export const formRequestLengthExceeded = (): DotNetException =>
  maxRequestLengthException(['System.Web.HttpRequest.FillInFormCollection()', 'System.Web.HttpRequest.get_Form()']);

function maxRequestLengthException(callers: readonly string[]): DotNetException {
  return {
    type: 'System.Web.HttpException',
    message: 'Maximum request length exceeded.',
    frames: ['System.Web.HttpRequest.GetEntireRawContent()', ...callers],
  };
}

/** Soap11ServerProtocolHelper.RouteRequest: the SOAPAction names no web method. */
export const unknownAction = (action: string): DotNetException => ({
  type: SOAP_EXCEPTION,
  message: `Server did not recognize the value of HTTP Header SOAPAction: ${action}.`,
  frames: routeFrames('Soap11ServerProtocolHelper'),
});

/** No action to route on, and no request element that names a web method. */
export const actionRequired = (version: '1.1' | '1.2'): DotNetException => ({
  type: SOAP_EXCEPTION,
  message: 'Unable to handle request without a valid action parameter. Please supply a valid soap action.',
  frames: routeFrames(version === '1.1' ? 'Soap11ServerProtocolHelper' : 'Soap12ServerProtocolHelper'),
});

/** Soap12ServerProtocolHelper.RouteRequest: neither the action nor the request element names a web method. */
export const actionNotRecognized = (action: string): DotNetException => ({
  type: SOAP_EXCEPTION,
  message: `Unable to handle request. The action '${action}' was not recognized.`,
  frames: routeFrames('Soap12ServerProtocolHelper'),
});

function routeFrames(helper: string): string[] {
  return [
    `System.Web.Services.Protocols.${helper}.RouteRequest()`,
    'System.Web.Services.Protocols.SoapServerProtocol.RouteRequest(SoapServerMessage message)',
    ...INITIALIZE_FRAMES,
  ];
}

/** SoapServerProtocol.ReadParameters: the envelope could not be deserialized. */
export const unreadableRequest = (inner: DotNetException): DotNetException => ({
  type: SOAP_EXCEPTION,
  message: 'Server was unable to read request.',
  inner,
  frames: ['System.Web.Services.Protocols.SoapServerProtocol.ReadParameters()', 'System.Web.Services.Protocols.WebServiceHandler.CoreProcessRequest()'],
});

/** XmlSerializer's wrapper around whatever went wrong at a position of the document. */
export function xmlDocumentError(line: number, column: number, inner: DotNetException): DotNetException {
  return {
    type: 'System.InvalidOperationException',
    message: `There is an error in XML document (${line}, ${column}).`,
    inner,
    frames: [
      'System.Xml.Serialization.XmlSerializer.Deserialize(XmlReader xmlReader, String encodingStyle, XmlDeserializationEvents events)',
      'System.Xml.Serialization.XmlSerializer.Deserialize(XmlReader xmlReader)',
      'System.Web.Services.Protocols.SoapServerProtocol.ReadParameters()',
    ],
  };
}

/** What XmlConvert throws for a value of an int, short or boolean parameter that does not convert. */
export function conversionException(type: 'int' | 'short' | 'boolean', text: string): DotNetException {
  if (type === 'boolean') {
    return { type: 'System.FormatException', message: `The string '${text}' is not a valid Boolean value.`, frames: ['System.Xml.XmlConvert.ToBoolean(String s)'] };
  }
  const name = type === 'int' ? 'Int32' : 'Int16';
  if (/^\s*[+-]?\d+\s*$/.test(text)) {
    return { type: 'System.OverflowException', message: `Value was either too large or too small for an ${name}.`, frames: [`System.Xml.XmlConvert.To${name}(String s)`] };
  }
  return { type: 'System.FormatException', message: 'Input string was not in a correct format.', frames: [`System.Xml.XmlConvert.To${name}(String s)`] };
}

/** CheckHelperVersion: the envelope is in a namespace the endpoint does not speak. */
export const envelopeMismatch = (found: string, expected: string): DotNetException => ({
  type: SOAP_EXCEPTION,
  message: `Possible SOAP version mismatch: Envelope namespace ${found} was unexpected. Expecting ${expected}.`,
  frames: INITIALIZE_FRAMES,
});

/** HttpServerProtocol.Initialize: the path names no web method (GET/POST method names are case-sensitive). */
export const unknownFormMethod = (name: string): DotNetException => ({
  type: 'System.InvalidOperationException',
  message: `Request format is unrecognized for URL unexpectedly ending in '/${name}'.`,
  frames: [
    'System.Web.Services.Protocols.WebServiceHandlerFactory.CoreGetHandler(Type type, HttpContext context, HttpRequest request, HttpResponse response)',
    'System.Web.Services.Protocols.WebServiceHandlerFactory.GetHandler(HttpContext context, String verb, String url, String filePath)',
  ],
});

/** ScalarFormatter.FromString (int, short, bool) or Convert.FromBase64String: a GET/POST value that does not convert. */
export function formConversionException(type: 'int' | 'short' | 'boolean' | 'base64', text: string): DotNetException {
  if (type === 'base64') {
    return {
      type: 'System.FormatException',
      message: 'The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.',
      frames: ['System.Convert.FromBase64String(String s)'],
    };
  }
  const target = { int: 'System.Int32', short: 'System.Int16', boolean: 'System.Boolean' }[type];
  const inner = type === 'boolean' ? 'String was not recognized as a valid Boolean.' : 'Input string was not in a correct format.';
  return {
    type: 'System.ArgumentException',
    message: `Cannot convert ${text} to ${target}.${NEWLINE}Parameter name: type`,
    inner: { type: 'System.FormatException', message: inner },
    frames: ['System.Web.Services.Protocols.ScalarFormatter.FromString(String value, Type type)', 'System.Web.Services.Protocols.ValueCollectionParameterReader.Read(NameValueCollection collection)'],
  };
}
