export interface Target {
  readonly key: 'a' | 'b' | 'c';
  readonly label: string;
  /** The server, run in a child process of its own. */
  readonly script: URL;
  readonly path: string;
  readonly expectedBody: string;
}

export const TARGETS: readonly Target[] = [
  {
    key: 'a',
    label: 'bare node:https',
    script: new URL('./servers/bare-https.ts', import.meta.url),
    path: '/bench',
    expectedBody: '{"ok":true}',
  },
  {
    key: 'b',
    label: 'NestJS + Express + helmet()',
    script: new URL('./servers/nest-express-helmet.ts', import.meta.url),
    path: '/bench',
    expectedBody: '{"ok":true}',
  },
  {
    key: 'c',
    label: 'Veilig full stack',
    script: new URL('../shared/veilig-api-server.ts', import.meta.url),
    // The kit has no /bench route; this is its smallest JSON endpoint and still passes through
    // TLS, every security header, the Host check, the request id and the access log.
    path: '/health/live',
    expectedBody: '{"status":"ok"}',
  },
];
