/**
 * The server profiles (EmulatorOptions.profile) as the HTTP layer applies them: how results are shaped and
 * written, and how large a request may be. Everything else a profile changes is in the HTTP layer's
 * `classic-asmx` branches, which write the replies of profiles/asmx.ts, and its `aspnetcore` ones, which apply
 * Kestrel's limits (profiles/aspnetcore.ts).
 */
import type { EmulatorConfig } from '../options.js';
import type { OperationSpec } from '../operations.js';
import type { ResultElement } from '../result.js';
import type { ResultNamespace } from '../http/soap-response.js';
import { minimalResult } from './minimal.js';

export const isClassicAsmx = (config: EmulatorConfig): boolean => config.profile === 'classic-asmx';

/** Kestrel's limits and refusals (profiles/aspnetcore.ts); its results and errors are the documented profile's. */
export const isAspNetCore = (config: EmulatorConfig): boolean => config.profile === 'aspnetcore';

/** The result as the profile's server writes it: `minimal` drops all but the load-bearing attributes. */
export function shapeResult(config: EmulatorConfig, spec: OperationSpec, element: ResultElement): ResultElement {
  return config.profile === 'minimal' ? minimalResult(spec.name, element) : element;
}

/** A namespace-less XElement written by .NET gets its `xmlns=""` after the attributes. */
export const resultNamespace = (config: EmulatorConfig): ResultNamespace =>
  isClassicAsmx(config) ? 'empty-last' : config.resultXmlns;

/** The largest request body: maxRequestLength for `classic-asmx`, maxBodyBytes (then HTTP 413) otherwise. */
export const bodyLimit = (config: EmulatorConfig): number =>
  isClassicAsmx(config) ? config.maxRequestLengthKb * 1024 : config.maxBodyBytes;
