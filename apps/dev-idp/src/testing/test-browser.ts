import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';

export interface BrowserResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The Location header resolved against the request URL; throws when there is none. */
  location(): URL;
}

/**
 * The browser's part of a sign-in, without a browser: plain HTTPS requests, one hop at a time,
 * that keep the IdP's cookies and trust only the given CA.
 */
export class TestBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly trustedCaPem: string) {}

  get(url: URL | string): Promise<BrowserResponse> {
    return this.send(new URL(url), 'GET');
  }

  postForm(url: URL | string, fields: Readonly<Record<string, string>>): Promise<BrowserResponse> {
    return this.send(new URL(url), 'POST', new URLSearchParams(fields).toString());
  }

  private send(url: URL, method: 'GET' | 'POST', body?: string): Promise<BrowserResponse> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const headers: Record<string, string> = cookie ? { cookie } : {};
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method, ca: this.trustedCaPem, agent: false, headers }, (incoming) => {
        this.remember(incoming.headers['set-cookie'] ?? []);
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const { location } = incoming.headers;
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            location: () => {
              if (location === undefined) throw new Error(`${method} ${url.pathname} answered ${incoming.statusCode} without a Location`);
              return new URL(location, url);
            },
          });
        });
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  private remember(setCookieHeaders: readonly string[]): void {
    for (const header of setCookieHeaders) {
      const [pair = '', ...attributes] = header.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const cleared = attributes.some((attribute) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(attribute));
      if (cleared) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(separator + 1).trim());
    }
  }
}

export interface HtmlForm {
  readonly action: string;
  readonly hiddenFields: Readonly<Record<string, string>>;
  /** The submit buttons that carry a value, such as one per demo user. */
  readonly buttons: readonly { readonly name: string; readonly value: string; readonly label: string }[];
}

/** Reads the first form of a page the dev IdP rendered (its own markup, so a few patterns suffice). */
export function readForm(html: string): HtmlForm {
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form in the page:\n${html}`);
  const [, action = '', content = ''] = form;
  const hiddenFields = Object.fromEntries(
    [...content.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"\/?>/g)].map(([, name = '', value = '']) => [unescapeHtml(name), unescapeHtml(value)]),
  );
  const buttons = [...content.matchAll(/<button type="submit" name="([^"]*)" value="([^"]*)">([\s\S]*?)<\/button>/g)].map(([, name = '', value = '', label = '']) => ({
    name: unescapeHtml(name),
    value: unescapeHtml(value),
    label: unescapeHtml(label.replace(/<[^>]*>/g, ' ')),
  }));
  return { action: unescapeHtml(action), hiddenFields, buttons };
}

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
}
