// What the list of commands says of serve. The list shows it without loading serve's module,
// which loads the emulator.
export const SERVE_SUMMARY = 'run a local emulator of the /srv.asmx service (prints its URL, stops on SIGINT/SIGTERM)';
