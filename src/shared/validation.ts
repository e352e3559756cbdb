import type { z } from "zod";
import type { ValidationError } from "./errors";

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

/** Parse `input` or throw the edge's error for its issues (a catalogue factory, e.g. `httpErrors.invalidInput`). */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, invalid: (issues: Issue[]) => ValidationError): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw invalid(issuesOf(result.error));
  return result.data;
}
