// How the service tells document and folder names apart: it ignores case, as the Windows servers it
// runs on do, and canonically equivalent Unicode (é as one code point, or as e and a combining
// accent) is one name to it too. Two paths that differ only so are one document: uploading both
// stores one as a new version of the other.

/** The form in which the service knows a name: two names with the same key are one name to it. */
export function serviceNameKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('en-US');
}

/**
 * The pairs of `paths` (separated by / or \) that differ, though the service takes them for the same
 * document or folder: each pair once, the earlier path first, cut at the level where they clash
 * (`Sub` and `sub`, not every file under them), with / between the names.
 */
export function nameClashes(paths: readonly string[]): Array<[string, string]> {
  const seen = new Map<string, string>();
  const clashes = new Map<string, [string, string]>();
  for (const path of paths) {
    const segments = path.split(/[\\/]/);
    for (let depth = 1; depth <= segments.length; depth++) {
      const prefix = segments.slice(0, depth).join('/');
      const key = serviceNameKey(prefix);
      const earlier = seen.get(key);
      if (earlier === undefined) seen.set(key, prefix);
      else if (earlier !== prefix) {
        clashes.set(`${earlier}\n${prefix}`, [earlier, prefix]);
        break;
      }
    }
  }
  return [...clashes.values()];
}
