// Files the package ships beside its code, found from wherever the code runs (src/ under tests,
// dist/src/ when built or installed).
import { existsSync, readFileSync } from 'node:fs';
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

const root = packageRoot();

/** The handwritten WSDL: the client loads it from here, never from the server. */
export const WSDL_PATH = join(root, 'wsdl', 'srv.wsdl');

export const PACKAGE_VERSION = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
