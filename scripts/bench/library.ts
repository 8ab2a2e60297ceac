// This library as an application uses it: a session's upload of a Buffer and its download to a
// Writable, which include the handler calls around the chunks and every check.
import { Writable } from 'node:stream';
import { SrvSession } from '../../src/session/session.js';
import { documentPath, type WorkerSpec } from './protocol.js';

export async function prepareLibrary(spec: WorkerSpec, source: Buffer): Promise<() => Promise<void>> {
  const session = await SrvSession.login({ url: spec.url, user: 'bench', password: 'bench', binding: spec.binding ?? 'soap11' });
  const path = documentPath(spec.bytesPerRun, spec.chunkSize);
  if (spec.direction === 'upload') {
    return async () => void (await session.upload(source, '/Public/bench.bin', { chunkSize: spec.chunkSize }));
  }
  return async () => void (await session.download(path, discard(), { chunkSize: spec.chunkSize }));
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
