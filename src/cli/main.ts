#!/usr/bin/env node
// The srv-asmx command line.
import { Command } from 'commander';
import { registerServe } from './serve.js';

const program = new Command('srv-asmx')
  .description('Move documents in and out of a /srv.asmx document-management service, or run a local emulator of it.')
  .showHelpAfterError();
registerServe(program);

await program.parseAsync(process.argv);
