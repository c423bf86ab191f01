/**
 * Outstanding AuthnRequest and LogoutRequest ids, bound to the connection that sent them, so a
 * Response is only accepted at the connection that asked for it (tenant A's IdP cannot answer at
 * tenant B) and only once.
 */
export interface SamlRequestStore {
  save(requestId: string, connectionId: string, expiresAt: Date): Promise<void>;
  /**
   * Removes the request and says whether it was there for this connection and not expired. One
   * use: a second take of the same id is false. A take for another connection must not consume it.
   */
  take(requestId: string, connectionId: string): Promise<boolean>;
}

/** Assertion ids already accepted, so a captured assertion cannot be posted a second time. */
export interface AssertionReplayStore {
  /**
   * Records the id; false when it was already recorded for this connection. `notOnOrAfter` is the
   * last moment the assertion could still be accepted (clock skew included): it may be forgotten after.
   */
  remember(assertionId: string, connectionId: string, notOnOrAfter: Date): Promise<boolean>;
}
