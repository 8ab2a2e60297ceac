#!/usr/bin/env node
// The srv-asmx command line.
import { Command, CommanderError } from 'commander';
import { registerDemo } from './commands/demo.js';
import { registerDownload } from './commands/download.js';
import { registerExists } from './commands/exists.js';
import { registerServe } from './commands/serve.js';
import { registerSync } from './commands/sync.js';
import { registerUpload } from './commands/upload.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from '../index.js';

const program = new Command('srv-asmx')
  .description('Move documents in and out of a /srv.asmx document-management service, or run a local emulator of it.')
  .version(VERSION, '-V, --cli-version', 'print the version of srv-asmx')
  .showHelpAfterError()
  .exitOverride()
  .addHelpText('after', `
Exit codes: 0 success, 1 failure, 2 usage error, 3 authentication, 4 integrity (checksum), 130 cancelled.
Connection: --url or SRV_ASMX_URL, --user or SRV_ASMX_USER, the password from SRV_ASMX_PASSWORD or a prompt,
--ticket or SRV_ASMX_TICKET to reuse a ticket.`);

for (const register of [registerUpload, registerDownload, registerExists, registerSync, registerServe, registerDemo]) register(program);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // Help and version end with exit code 0; every other commander error is a usage error.
  process.exitCode = error.exitCode === 0 ? EXIT.success : EXIT.usage;
}
