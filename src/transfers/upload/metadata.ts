// Typed document metadata and the one builder that turns it into the service's xmlParameters
// document (README.md#metadata): documented upper-case keys only, values escaped, booleans lower-case,
// keywords joined with commas, manual version ranges checked here rather than by the server.
import { InvalidArgumentError } from '../../errors.js';
import { checkXmlText } from '../../soap/arguments.js';
import { escapeXml } from '../../soap/xml-escape.js';

export type PublishOption = 'ServerDefault' | 'Publish' | 'DontPublish';

/** A manual version label such as 2.0.1 (major 1-2400, minor and revision 0-999). */
export interface ManualVersion {
  major: number;
  minor: number;
  revision: number;
}

export interface DocumentMetadata {
  description?: string;
  /** Each keyword may contain spaces but not commas. */
  keywords?: readonly string[];
  versionComment?: string;
  publish?: PublishOption;
  /** Lock (check out) the document right after the upload. */
  checkout?: boolean;
  /** Send notification emails (the server's default is true). */
  sendEmails?: boolean;
  /** A `yyyy-MM-dd` or `yyyy-MM-ddTHH:mm:ss` string, or a Date (sent as its UTC time). */
  creationDate?: Date | string;
  modificationDate?: Date | string;
  /** Plain text for full-text indexing, e.g. of an image-only file. */
  textOnlyContent?: string;
  version?: ManualVersion;
}

const PUBLISH_OPTIONS: readonly PublishOption[] = ['ServerDefault', 'Publish', 'DontPublish'];
const VERSION_RANGES = { major: [1, 2400], minor: [0, 999], revision: [0, 999] } as const;

/** Throws InvalidArgumentError naming the first bad field. */
export function validateMetadata(metadata: DocumentMetadata): void {
  for (const field of ['description', 'versionComment', 'textOnlyContent'] as const) {
    const value = metadata[field];
    if (value !== undefined && typeof value !== 'string') throw invalid(field, 'must be a string');
    if (value !== undefined) checkXmlText(value, `metadata.${field}`);
  }
  for (const field of ['checkout', 'sendEmails'] as const) {
    const value = metadata[field];
    if (value !== undefined && typeof value !== 'boolean') throw invalid(field, 'must be a boolean');
  }
  if (metadata.publish !== undefined && !PUBLISH_OPTIONS.includes(metadata.publish)) throw invalid('publish', `must be one of ${PUBLISH_OPTIONS.join(', ')}`);
  for (const keyword of metadata.keywords ?? []) {
    if (typeof keyword !== 'string' || keyword.trim() === '') throw invalid('keywords', 'must be non-empty strings');
    if (keyword.includes(',')) throw invalid('keywords', `must not contain commas (the server splits on them): ${JSON.stringify(keyword)}`);
    checkXmlText(keyword, 'metadata.keywords');
  }
  if (metadata.creationDate !== undefined) dateText(metadata.creationDate, 'creationDate');
  if (metadata.modificationDate !== undefined) dateText(metadata.modificationDate, 'modificationDate');
  if (metadata.version !== undefined) validateVersion(metadata.version);
}

/** Whether the metadata needs the xmlParameters document, beyond a comment and a version. */
export function needsXmlParameters(metadata: DocumentMetadata): boolean {
  const { versionComment: _comment, version: _version, ...rest } = metadata;
  return Object.values(rest).some((value) => value !== undefined);
}

/** The xmlParameters document; "" (server defaults) when nothing is set. */
export function xmlParametersOf(metadata: DocumentMetadata): string {
  const items: Array<[string, string | undefined]> = [
    ['TEXTONLYCONTENT', metadata.textOnlyContent],
    ['DESCRIPTION', metadata.description],
    ['KEYWORDS', metadata.keywords?.map((k) => k.trim()).join(',')],
    ['VERSIONCOMMENT', metadata.versionComment],
    ['CHECKOUT', metadata.checkout?.toString()],
    ['PUBLISHOPTION', metadata.publish],
    ['SENDEMAILS', metadata.sendEmails?.toString()],
    ['CREATIONDATE', metadata.creationDate === undefined ? undefined : dateText(metadata.creationDate, 'creationDate')],
    ['MODIFICATIONDATE', metadata.modificationDate === undefined ? undefined : dateText(metadata.modificationDate, 'modificationDate')],
    ['MPVERSIONMAJOR', metadata.version?.major.toString()],
    ['MPVERSIONMINOR', metadata.version?.minor.toString()],
    ['MPVERSIONREVISION', metadata.version?.revision.toString()],
  ];
  const set = items.filter((item): item is [string, string] => item[1] !== undefined);
  if (set.length === 0) return '';
  return `<xmlparameters>${set.map(([name, value]) => `<item NAME="${name}" VALUE="${escapeXml(value)}"/>`).join('')}</xmlparameters>`;
}

export function validateVersion(version: ManualVersion): void {
  for (const part of ['major', 'minor', 'revision'] as const) {
    const [min, max] = VERSION_RANGES[part];
    const value = version[part];
    if (!Number.isInteger(value) || value < min || value > max) throw invalid(`version.${part}`, `must be a whole number from ${min} to ${max}`);
  }
}

function dateText(value: Date | string, field: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid(field, 'is an invalid Date');
    return value.toISOString().slice(0, 19);
  }
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$/.test(value)) {
    throw invalid(field, 'must be a Date or a yyyy-MM-dd / yyyy-MM-ddTHH:mm:ss string');
  }
  return value;
}

function invalid(field: string, problem: string): InvalidArgumentError {
  return new InvalidArgumentError(`metadata.${field}`, problem);
}
