// What an ordinary ESM user writes: the package and its emulator by their public names only.
// Prints one JSON line for test/package/install.test.ts.
import { readFile } from 'node:fs/promises';
import { SrvSession, VERSION, fileCrc32 } from 'srv-asmx-client';
import { startEmulator } from 'srv-asmx-client/emulator';

const manifest = JSON.parse(await readFile(new URL(import.meta.resolve('srv-asmx-client/package.json')), 'utf8'));
// 300 KiB: two chunks at the smallest chunk size.
const data = Buffer.alloc(300 * 1024, 'esm consumer ');
const emulator = await startEmulator();
try {
  const session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo' });
  try {
    await session.ensureFolder('/Public/Package');
    const uploaded = await session.upload(data, '/Public/Package/esm.bin', { chunkSize: 262144 });
    const downloaded = await session.download('/Public/Package/esm.bin', 'esm-copy.bin', { chunkSize: 262144, overwrite: true });
    const copy = await readFile('esm-copy.bin');
    console.log(JSON.stringify({
      version: VERSION,
      manifestVersion: manifest.version,
      uploaded: { bytes: uploaded.bytes, chunks: uploaded.chunks, crc32: uploaded.crc32 },
      downloaded: { bytes: downloaded.bytes, crc32: downloaded.crc32 },
      fileCrc32: await fileCrc32('esm-copy.bin'),
      identical: copy.equals(data),
      stored: (await emulator.readDocument('/Public/Package/esm.bin')).equals(data),
    }));
  } finally {
    await session.close();
  }
} finally {
  await emulator.close();
}
