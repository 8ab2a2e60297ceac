// Logs in and prints the ticket, for SRV_ASMX_TICKET: later commands then reuse it without the
// password, and never log it out, since it belongs to whoever asked for it.
import type { Command } from 'commander';
import { addConnectionOptions } from '../connection.js';
import { runCommand, type CommandContext } from '../run.js';

export function registerLogin(program: Command): void {
  addConnectionOptions(program.command('login'))
    .description('log in and print a ticket for SRV_ASMX_TICKET (it stays valid until it expires or is logged out)')
    .addHelpText('after', `
Examples:
  $ export SRV_ASMX_TICKET=$(srv-asmx login)
  $ srv-asmx upload q3.pdf /Public/Reports/q3.pdf    # uses the ticket, asks for no password`)
    .action((_flags: object, command: Command) => runCommand(command, (context) => login(context)));
}

async function login(context: CommandContext): Promise<void> {
  const ticket = await context.withSession(async (session) => {
    session.keepTicket();
    return session.ticket;
  });
  context.reporter.result(ticket, { ok: true, command: 'login', ticket });
}
