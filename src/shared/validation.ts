import type { z } from "zod";
import { ValidationError } from "./errors";

/**
 * One validation helper for every edge (REST middleware, room messages, room join options): a
 * schema's issues become `details: [{ path, message }]` of a ValidationError with the edge's code.
 */
export interface Issue {
  path: string;
  message: string;
}

export function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

/** Parse `input` or throw ValidationError(code, message, issues). */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, code: string, message: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(code, message, issuesOf(result.error));
  return result.data;
}
