import type { INestApplicationContext } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { routeAccessOf, type RouteAccess } from '@veilig/platform-http';

/** One handler of the application and what it declares about who may call it. */
export interface RouteDeclaration {
  readonly method: string;
  readonly path: string;
  readonly controller: string;
  readonly handler: string;
  /** undefined: the route declares nothing (or contradicts itself), so the permission guard refuses it. */
  readonly access: RouteAccess | undefined;
}

const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';
const METHOD_NAMES = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];

/**
 * Every route handler the application registered, with its access declaration: what the route
 * meta-test walks (no route may declare nothing) and what docs/access-control.md lists.
 */
export function routeDeclarations(app: INestApplicationContext): RouteDeclaration[] {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const declarations: RouteDeclaration[] = [];
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
    if (!controller || !wrapper.instance) continue;
    const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as (...args: unknown[]) => unknown;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (path === undefined) continue;
      const method = METHOD_NAMES[Reflect.getMetadata(METHOD_METADATA, handler) as number] ?? 'GET';
      for (const each of Array.isArray(path) ? path : [path]) {
        declarations.push({
          method,
          path: `/${[prefix, each].map((part) => part.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`,
          controller: controller.name,
          handler: name,
          access: routeAccessOf(reflector, handler, controller),
        });
      }
    }
  }
  return declarations.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
