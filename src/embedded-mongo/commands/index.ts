/** Command registry. Names are case-sensitive like mongod's, plus the legacy lowercase aliases it accepts. */
import type { Handler } from "./context";
import { adminCommands } from "./admin";
import { aggregateCommands } from "./aggregate";
import { crudCommands } from "./crud";
import { ddlCommands } from "./ddl";
import { failPointCommands } from "./failpoints";
import { sessionCommands } from "./sessions";

export const COMMANDS: ReadonlyMap<string, Handler> = new Map(
  Object.entries({ ...adminCommands, ...crudCommands, ...aggregateCommands, ...ddlCommands, ...sessionCommands, ...failPointCommands }),
);
