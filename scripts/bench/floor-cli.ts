// The floor of a whole `srv-asmx upload` or `srv-asmx download`, as a process of its own: log in,
// get a handler, move the file in chunks with floor.ts's loops (CRC and base64 of each chunk; each
// downloaded chunk's CRC checked), finalize the upload or delete the download handler, log out.
// Raw http and string templates, nothing else. cli-cpu.ts runs it as JavaScript, as the CLI is run.
//   floor-cli.js upload <file> <remotePath> <chunkSize>
//   floor-cli.js download <remotePath> <file> <chunkSize>
// with SRV_ASMX_URL, SRV_ASMX_USER and SRV_ASMX_PASSWORD, as the CLI takes them.
import { open } from 'node:fs/promises';
import { attribute, call, downloadChunks, runSession, uploadChunks, type FloorTarget } from './floor.js';

async function upload(target: FloorTarget, file: string, remotePath: string, chunkSize: number): Promise<void> {
  const source = await open(file);
  try {
    const size = (await source.stat()).size;
    const grant = await call(target, 'CreateUploadHandler', `<PreferedChunkSize>${chunkSize}</PreferedChunkSize>`);
    const handler = attribute(grant, 'CreateUploadHandler', 'UploadHandler');
    const granted = Number(attribute(grant, 'CreateUploadHandler', 'ChunkSize'));
    const buffer = Buffer.allocUnsafe(granted);
    await uploadChunks(target, handler, size, granted, async (offset, length) => buffer.subarray(0, (await source.read(buffer, 0, length, offset)).bytesRead));
    attribute(await call(target, 'UploadDocumentWithHandler', `<path>${remotePath}</path><uploadHandler>${handler}</uploadHandler>`), 'UploadDocumentWithHandler', 'DocumentId');
  } finally {
    await source.close();
  }
}

async function download(target: FloorTarget, remotePath: string, file: string, chunkSize: number): Promise<void> {
  const grant = await call(target, 'GetDownloadHandler', `<Path>${remotePath}</Path><PreferedChunkSize>${chunkSize}</PreferedChunkSize>`, 'AuthenticationTicket');
  const handler = attribute(grant, 'GetDownloadHandler', 'downloadhandler');
  const size = Number(attribute(grant, 'GetDownloadHandler', 'Size'));
  const destination = await open(file, 'w');
  try {
    await downloadChunks(target, handler, size, Number(attribute(grant, 'GetDownloadHandler', 'ChunkSize')), async (data, offset) => void (await destination.write(data, 0, data.length, offset)));
  } finally {
    await destination.close();
  }
  await call(target, 'DeleteDownloadHandler', `<DownloadHandler>${handler}</DownloadHandler>`);
}

await runSession(upload, download);
