import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';

/**
 * The one way request input becomes typed: parsed by a zod schema, or refused with 400
 * problem+json listing every problem at once, each with the path of the field it concerns.
 */
export function validatedInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new BadRequestException({
    message: result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)),
  });
}
