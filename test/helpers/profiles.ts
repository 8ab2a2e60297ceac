// The server profiles the client suites run against: every one, or the comma-separated list in
// SRV_TEST_PROFILES (e.g. SRV_TEST_PROFILES=minimal while fixing the client for that server).
import { PROFILE_NAMES, type ProfileName } from '../../src/emulator/index.js';

function selected(): readonly ProfileName[] {
  const wanted = process.env['SRV_TEST_PROFILES']?.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (wanted === undefined || wanted.length === 0) return PROFILE_NAMES;
  const unknown = wanted.filter((name) => !(PROFILE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`SRV_TEST_PROFILES: unknown profile ${unknown.join(', ')}; expected ${PROFILE_NAMES.join(', ')}`);
  return PROFILE_NAMES.filter((name) => wanted.includes(name));
}

export const PROFILES: readonly ProfileName[] = selected();
