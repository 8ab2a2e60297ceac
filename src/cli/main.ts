#!/usr/bin/env node
// The srv-asmx command line.
import { Command, CommanderError } from 'commander';
import { registerDemo } from './commands/demo.js';
import { registerDownload } from './commands/download.js';
import { registerExists } from './commands/exists.js';
import { registerLogin } from './commands/login.js';
import { registerServe } from './commands/serve.js';
import { registerSync } from './commands/sync.js';
import { registerUpload } from './commands/upload.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from '../index.js';

// A reader that went away (`srv-asmx --help | head -1`) is no failure of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.success);
    throw error;
  });
}

const program = new Command('srv-asmx')
  .description('Move documents in and out of a /srv.asmx document-management service, or run a local emulator of it.')
  .version(VERSION, '-V, --version', 'print the version of srv-asmx')
  .showHelpAfterError()
  .exitOverride()
  .addHelpText('after', `
Exit codes: 0 success, 1 failure, 2 usage error, 3 authentication (the service's or HTTP's),
4 integrity (a checksum that never matched), 129/130/143 cancelled by SIGHUP/SIGINT/SIGTERM.
Connection: --url or SRV_ASMX_URL, --user or SRV_ASMX_USER, the password from SRV_ASMX_PASSWORD or a prompt,
--ticket or SRV_ASMX_TICKET to reuse a ticket (srv-asmx login prints one).`);

for (const register of [registerUpload, registerDownload, registerExists, registerSync, registerLogin, registerServe, registerDemo]) register(program);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // Help and version end with exit code 0; every other commander error is a usage error.
  process.exitCode = error.exitCode === 0 ? EXIT.success : EXIT.usage;
  if (process.exitCode !== EXIT.success && process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ ok: false, exitCode: EXIT.usage, error: { name: 'UsageError', code: error.code, message: error.message.replace(/^error: /, '') } })}\n`);
  }
}
