// The emulator in users' CI: a health endpoint to wait on, a reset between tests, a URL that works
// when it listens on every interface, and `await using` (Symbol.asyncDispose).
import { startEmulator, HEALTH_PATH, RESET_PATH } from '../../src/emulator/index.js';
import { SrvSession } from '../../src/index.js';
import { startServe } from '../helpers/run-cli.js';

test('health answers 200 with the profile; reset forgets documents, folders, handlers and faults, and keeps sessions', async () => {
  const emulator = await startEmulator({ profile: 'minimal' });
  try {
    const health = await fetch(new URL(HEALTH_PATH, emulator.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, profile: 'minimal' });

    const session = await SrvSession.login({ url: emulator.url, user: 'demo', password: 'demo' });
    await session.ensureFolder('/Public/kept-until-reset');
    await session.upload(Buffer.from('before the reset'), '/Public/kept-until-reset/a.txt');
    await session.call('CreateUploadHandler', { PreferedChunkSize: 262144 });
    emulator.faults.add({ op: 'ServerInfo', kind: 'http500' });
    expect(emulator.state().uploadHandlers).toHaveLength(1);

    const reset = await fetch(new URL(RESET_PATH, emulator.url), { method: 'POST' });
    expect(reset.status).toBe(200);
    const state = emulator.state();
    expect(state.documents).toEqual([]);
    expect(state.uploadHandlers).toEqual([]);
    expect(state.folders).toEqual(['/Public']);
    // The fault rule is gone, and the session's ticket still works.
    await expect(session.call('ServerInfo', {})).resolves.toMatchObject({ success: true });
    await expect(session.folderExists('/Public')).resolves.toBe(true);
    await session.close();
  } finally {
    await emulator.close();
  }
});

test('close() is Symbol.asyncDispose, so await using closes the emulator', async () => {
  const emulator = await startEmulator();
  const url = emulator.url;
  await emulator[Symbol.asyncDispose]();
  await expect(fetch(new URL(HEALTH_PATH, url))).rejects.toThrow();
});

test('serve --host 0.0.0.0 prints a URL that works, and names the other addresses it is reachable at', async () => {
  const serve = await startServe(['--host', '0.0.0.0']);
  try {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/srv\.asmx$/);
    const health = await fetch(new URL(HEALTH_PATH, serve.url));
    expect(health.status).toBe(200);
  } finally {
    const run = await serve.stop();
    expect(run.stderr).toMatch(/health at http:\/\/127\.0\.0\.1:\d+\/__emulator\/health/);
  }
});
