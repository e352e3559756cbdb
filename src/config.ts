import { z } from "zod";
import proxyaddr from "proxy-addr";

/**
 * Environment → validated, frozen configuration. A bad value stops the server at boot with a
 * message naming the variable; nothing else in the code reads process.env.
 */
const booleanish = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

/**
 * Which peers may speak for the client through X-Forwarded-For, in Express's "trust proxy" forms: a
 * hop count ("1"), or a comma-separated list of names (loopback, linklocal, uniquelocal), IPs and
 * CIDRs; "true" trusts every peer. Empty or "false": trust none — the TCP peer is the client.
 */
export type TrustProxy = boolean | number | string[];
const trustProxySchema = z.string().transform((raw, ctx): TrustProxy => {
  const v = raw.trim();
  if (v === "" || v === "false") return false;
  if (v === "true") return true;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v.split(",").map((s) => s.trim()).filter(Boolean);
  try {
    proxyaddr.compile(list); // throws on anything that is not a name, an IP or a CIDR
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `not a hop count, true/false, or a list of loopback/linklocal/uniquelocal, IPs and CIDRs (${(err as Error).message})` });
    return z.NEVER;
  }
  return list;
});

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(2567),
  /** Address other processes/clients use to reach this one (Colyseus does not proxy between processes). */
  PUBLIC_ADDRESS: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Real MongoDB; when absent the embedded store runs in-process, persisting under DATA_DIR. */
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, "must start with mongodb:// or mongodb+srv://").optional(),
  /** With it, rooms scale out across processes via @colyseus/redis-presence + redis-driver. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must start with redis:// or rediss://").optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  /** "memory" keeps the embedded store in memory only (tests); otherwise it persists under DATA_DIR/db. */
  EMBEDDED_DB: z.enum(["disk", "memory"]).default("disk"),
  EMBEDDED_DB_FSYNC: z.enum(["always", "batch", "never"]).default("batch"),

  JWT_ALG: z.enum(["HS256", "RS256"]).default("HS256"),
  /** HS256 secret; at least 32 bytes so it is not brute-forceable. Generated in development when absent. */
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /** RS256 private key (PEM, PKCS#8) to issue tokens; optional when an external IdP issues them. */
  JWT_PRIVATE_KEY: z.string().optional(),
  /** RS256 public key (PEM, SPKI) or JWKS URL to verify tokens issued elsewhere. */
  JWT_PUBLIC_KEY: z.string().optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_ISSUER: z.string().default("limelight"),
  JWT_AUDIENCE: z.string().default("limelight"),
  /** Short-lived access tokens: a leaked one is useful for minutes, not days. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86400).default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Default: no proxy is trusted, so a client cannot pick its own IP (and escape per-IP limits). */
  TRUST_PROXY: trustProxySchema.default(false),
  /** The marketplace spec asks for 5 auth attempts a minute per IP and per account. */
  AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10000).default(5),

  STORY_EXPIRY_HOURS: z.coerce.number().min(1).max(168).default(24),
  STORY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** How often the expiry sweep runs; stories already vanish from queries at expires_at. */
  STORY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),

  /** How long a room keeps a dropped client's seat (and state) for the SDK's automatic reconnect. */
  ROOM_RECONNECT_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),

  /** Graceful shutdown must finish within this bound, then the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(10_000),
  ENABLE_PLAYGROUND: booleanish.optional(),
  ADMIN_USERNAMES: z.string().optional(),
  /** Bearer token a Prometheus scraper sends to GET /metrics (admins may use their access token). */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
});

export type Config = Readonly<z.infer<typeof envSchema>>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const cfg = parsed.data;
  if (cfg.NODE_ENV === "production" && cfg.JWT_ALG === "HS256" && !cfg.JWT_SECRET) {
    throw new ConfigError("Invalid configuration:\n  JWT_SECRET: required in production (HS256)");
  }
  if (cfg.JWT_ALG === "RS256" && !cfg.JWT_PUBLIC_KEY && !cfg.JWT_JWKS_URL && !cfg.JWT_PRIVATE_KEY) {
    throw new ConfigError("Invalid configuration:\n  JWT_ALG=RS256 needs JWT_PRIVATE_KEY, JWT_PUBLIC_KEY or JWT_JWKS_URL");
  }
  return Object.freeze(cfg);
}

let cached: Config | undefined;

export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Tests boot the app with specific settings; this replaces the cached config. */
export function setConfig(next: Config): void {
  cached = next;
}
