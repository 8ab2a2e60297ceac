// A document's versions (GetDocumentVersions), sorted by `Number`, the largest the latest (C56),
// and what a download of the latest or of one version would be (GetDownloadInfo/ByVersion),
// without staging anything.
import type { DocumentVersion, DownloadInfo } from '../../../generated/srv.js';
import type { ServicePort } from '../../calls/port.js';
import { crcAttribute, crcToHex } from '../../integrity/crc32.js';
import { remotePath } from '../transfer.js';
import type { LookupOptions } from '../lookups.js';
import { versionNumberOf } from './version-number.js';

const DOCUMENT = 'a non-empty full path, ~D{id} or ~D{id}.ext';

/** One version as GetDocumentVersions lists it; undefined where the server leaves a fact out. */
export interface VersionInfo {
  /** The version's number as the server gives it (1000000, 2000000, …): what `download`, `info` and `delete` take. */
  number: number;
  size: number | undefined;
  author: string | undefined;
  /** As the server writes it (UTC, with milliseconds); undefined when empty. */
  created: string | undefined;
  published: string | undefined;
  comment: string | undefined;
  /** The server's checksum, whose algorithm is not stated (C37): opaque, never a CRC-32. */
  checksum: string | undefined;
}

/** What a download would get, from GetDownloadInfo or GetDownloadInfoByVersion. */
export interface DownloadInfoResult {
  path: string;
  size: number;
  /** 8 lower-case hex digits; undefined when the server does not report it. */
  crc32: string | undefined;
  /** The version asked for; 0 for the latest (the server's VersionNumber, which is 0 for it). */
  versionNumber: number;
  contentType: string | undefined;
  /** yyyy-MM-dd, as the server writes it. */
  modified: string | undefined;
  /** The file name to save as. */
  name: string | undefined;
}

export interface InfoOptions extends LookupOptions {
  /** A version's Number as `versions` lists it; 0 or none: the latest. */
  version?: number;
}

/** Every version, oldest first. */
export async function documentVersions(port: ServicePort, path: string, options: LookupOptions = {}): Promise<VersionInfo[]> {
  const Path = remotePath(path, 'path', DOCUMENT);
  const { Versions } = await port.call('GetDocumentVersions', { Path }, options);
  return Versions.map(versionInfo).sort((a, b) => a.number - b.number);
}

export async function downloadInfo(port: ServicePort, path: string, options: InfoOptions = {}): Promise<DownloadInfoResult> {
  const Path = remotePath(path, 'path', DOCUMENT);
  const { version, ...call } = options;
  const VersionNumber = version === undefined ? 0 : versionNumberOf('version', version, true);
  const operation = VersionNumber === 0 ? 'GetDownloadInfo' : 'GetDownloadInfoByVersion';
  const info: DownloadInfo = VersionNumber === 0 ? await port.call('GetDownloadInfo', { Path }, call) : await port.call('GetDownloadInfoByVersion', { Path, VersionNumber }, call);
  const crc = crcAttribute(operation, 'CRC32', info.CRC32);
  return {
    path: Path,
    size: info.Size,
    crc32: crc === undefined ? undefined : crcToHex(crc),
    versionNumber: VersionNumber,
    contentType: info.ContentType || undefined,
    modified: info.ModificationDate || undefined,
    name: info.AlterDocumentName || undefined,
  };
}

function versionInfo(version: DocumentVersion): VersionInfo {
  return {
    number: version.Number,
    size: version.VersionSize,
    author: version.VersionAuthor || undefined,
    created: version.DateCreated || undefined,
    published: version.DatePublished || undefined,
    comment: version.Comment || undefined,
    checksum: version.CheckSum || undefined,
  };
}
