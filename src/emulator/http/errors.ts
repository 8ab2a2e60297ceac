import type { DotNetException } from '../profiles/asmx.js';

export type FaultCode = 'Client' | 'Server' | 'VersionMismatch';

export interface RequestErrorDetails {
  /** The body is not well-formed XML (an XmlException in .NET): `classic-asmx` answers HTTP 400 with an empty body. */
  readonly malformed?: boolean;
  /** What .NET would have thrown, for the `classic-asmx` fault string. */
  readonly dotnet?: DotNetException;
}

/** A request the service cannot read: a SOAP fault, or HTTP 400 over GET/POST. */
export class RequestError extends Error {
  readonly faultCode: FaultCode;
  readonly malformed: boolean;
  readonly dotnet: DotNetException | undefined;

  constructor(message: string, faultCode: FaultCode = 'Client', details: RequestErrorDetails = {}) {
    super(message);
    this.name = 'RequestError';
    this.faultCode = faultCode;
    this.malformed = details.malformed ?? false;
    this.dotnet = details.dotnet;
  }
}

/** HTTP 413 (`classic-asmx`: maxRequestLength). */
export class BodyTooLargeError extends Error {
  /** The Content-Length said so before anything was read; otherwise the body grew past the limit as it was read. */
  readonly declared: boolean;

  constructor(limit: number, declared: boolean) {
    super(`The request body exceeds ${limit} bytes.`);
    this.name = 'BodyTooLargeError';
    this.declared = declared;
  }
}

/** HTTP 415. */
export class UnsupportedMediaTypeError extends Error {
  constructor(contentType: string, expected: string) {
    super(`Cannot process the message because the content type '${contentType}' was not the expected type '${expected}'.`);
    this.name = 'UnsupportedMediaTypeError';
  }
}
