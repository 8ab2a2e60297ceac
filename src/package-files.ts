// Files the package ships beside its code, found from wherever the code runs (src/ under tests,
// dist/src/ when built or installed).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'wsdl'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('srv-asmx-client: cannot find the package root (package.json beside wsdl/)');
    dir = parent;
  }
  return dir;
}

/** The handwritten WSDL: the client loads it from here, never from the server. */
export const WSDL_PATH = join(packageRoot(), 'wsdl', 'srv.wsdl');
