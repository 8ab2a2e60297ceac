// ZIP archives made and read by Python's zipfile, an implementation nobody here wrote, for the
// tests of DownloadZipWithHandler and UploadZipWithHandler.
import { execFileSync } from 'node:child_process';

/** The names and contents of an archive (a folder's content is ''), checked entry by entry. */
export function unzip(archive: Buffer): Record<string, string> {
  const script = 'import sys, zipfile, io, json; z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())); assert z.testzip() is None; print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: archive }).toString()) as Record<string, string>;
}

/** An archive of `files` (a name ending in / is a folder), deflated. */
export function zip(files: Record<string, string>): Buffer {
  const script = 'import sys, zipfile, io, json; b = io.BytesIO(); z = zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED)\nfor n, c in json.loads(sys.argv[1]).items(): z.writestr(n, c)\nz.close(); sys.stdout.buffer.write(b.getvalue())';
  return execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify(files)]);
}
