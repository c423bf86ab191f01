import { Reflector } from '@nestjs/core';

/**
 * Marks a route as reachable without a session. Everything else is denied by the global
 * authentication guard: forgetting a decorator closes a route, it never opens one.
 */
export const Public = Reflector.createDecorator<void, true>({ transform: () => true });
