import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';

/**
 * The one way request input becomes typed: parsed by a zod schema, or refused with 400
 * problem+json listing every problem at once, each with the path of the field it concerns.
 */
export function validatedInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const nul = pathOfNul(input);
  // PostgreSQL cannot store U+0000 in text; refused here, for every route, instead of as a 500 there.
  if (nul !== undefined) throw new BadRequestException({ message: [`${nul || '(body)'}: contains a NUL character`] });
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new BadRequestException({
    message: result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)),
  });
}

/** The path of the first string (or key) holding U+0000, '' for the input itself; undefined when there is none. */
function pathOfNul(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return childPath;
    const found = pathOfNul(child, childPath);
    if (found !== undefined) return found;
  }
  return undefined;
}
