/** A request the dev IdP refuses with 400 and this message, shown to the developer who sent it. */
export class RefusedRequest extends Error {
  override readonly name = 'RefusedRequest';
}
