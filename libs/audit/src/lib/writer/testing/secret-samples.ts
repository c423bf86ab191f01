import { generateKeyPairSync } from 'node:crypto';

const { privateKey } = generateKeyPairSync('ed25519');
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** One sample of every kind of secret the audit writer must never store, each with a part that must not survive. */
export const SECRET_SAMPLES: Readonly<Record<string, { readonly text: string; readonly mustNotSurvive: string }>> = {
  jwt: (() => {
    const text = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url({ sub: 'jan', exp: 2_000_000_000 })}.c2lnbmF0dXJlLWJ5dGVz`;
    return { text, mustNotSurvive: text.split('.')[1]! };
  })(),
  pem: (() => {
    const text = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    return { text, mustNotSurvive: text.split('\n')[1]! };
  })(),
  bearer: { text: 'Bearer mF_9.B5f-4.1JqM', mustNotSurvive: 'mF_9.B5f-4.1JqM' },
  samlResponse: (() => {
    const text = Buffer.from('<samlp:Response ID="_1"><saml:Assertion>secret</saml:Assertion></samlp:Response>').toString('base64');
    return { text, mustNotSurvive: text.slice(8, 40) };
  })(),
  samlXml: (() => {
    const text = Buffer.from('<?xml version="1.0"?><samlp:Response ID="_2"><saml:Assertion/></samlp:Response>').toString('base64');
    return { text, mustNotSurvive: text.slice(8, 40) };
  })(),
  sessionCookie: { text: '__Host-veilig-session=Zm9vYmFyYmF6cXV4; __Host-session=c2VjcmV0dG9rZW4', mustNotSurvive: 'Zm9vYmFyYmF6cXV4' },
  hostCookie: { text: 'cookie: __Host-session=c2VjcmV0dG9rZW4', mustNotSurvive: 'c2VjcmV0dG9rZW4' },
  queryParameter: { text: 'https://app.example/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz', mustNotSurvive: 'SplxlOBeZQQYbYS6WxSbIA' },
  jsonPassword: { text: '{"user":"jan","password":"hunter2-correct-horse"}', mustNotSurvive: 'hunter2-correct-horse' },
};
