import { z } from "zod";
import { pageQuerySchema } from "../shared/pagination";

/** GET /viewers/user/insights?from=ISO&to=ISO — both optional (default: the 7 days up to now). */
export const userInsightsQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
export type UserInsightsQuery = z.infer<typeof userInsightsQuerySchema>;

/** GET /viewers/story/:id — cursor paging. */
export const seenByQuerySchema = pageQuerySchema;
