import pino from "pino";
import { config } from "./config";

/** Structured JSON logs; request ids are attached per request by the HTTP layer (child loggers). */
export const logger = pino({
  level: config().LOG_LEVEL,
  base: { service: "limelight", pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
});
export type Logger = typeof logger;
