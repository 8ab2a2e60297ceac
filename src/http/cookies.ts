// The cookies the service's replies set, sent back with its later requests: a load balancer that
// pins a client to a node by cookie (ARRAffinity on Azure App Service and IIS ARR) keeps a
// session's calls on the node that holds its handlers. Scoped by tough-cookie's rules to the URL
// that set each one; loaded with the first Set-Cookie, since most servers set none. Never logged:
// exchange records carry neither the Cookie header sent nor the Set-Cookie received.
import type { CookieJar } from 'tough-cookie';

export class Cookies {
  #jar: CookieJar | undefined;

  /** The Cookie header for a request to `url`, with `given` (a header the caller set) first; undefined when there is none. */
  header(url: URL, given: string | undefined): string | undefined {
    const kept = this.#jar?.getCookieStringSync(url.href) ?? '';
    return [given, kept].filter((part) => part !== undefined && part !== '').join('; ') || undefined;
  }

  /** Keeps what a reply from `url` sets; a cookie that does not parse or does not belong to `url` is ignored. */
  async store(setCookie: readonly string[] | undefined, url: URL): Promise<void> {
    if (setCookie === undefined || setCookie.length === 0) return;
    this.#jar ??= new (await import('tough-cookie')).CookieJar();
    for (const header of setCookie) this.#jar.setCookieSync(header, url.href, { ignoreError: true });
  }
}
