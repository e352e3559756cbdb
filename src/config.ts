import { z } from "zod";
import proxyaddr from "proxy-addr";
import { mergeTierLimits, RATE_LIMIT_TIERS } from "./rate-limits/rate-limit.rules";

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

/** `{"standard":{"api":100,"realtime":1000},"high":{…}}` over the defaults; null is unlimited. */
const perMinute = z.number().int().min(1).max(10_000_000).nullable();
const rateLimitTiersSchema = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'not JSON (e.g. {"high":{"api":1000,"realtime":10000}})' });
      return z.NEVER;
    }
  })
  .pipe(z.partialRecord(z.enum(RATE_LIMIT_TIERS), z.strictObject({ api: perMinute.optional(), realtime: perMinute.optional() })))
  .transform(mergeTierLimits);

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
  /** Per-tier limits per minute: general API requests and room messages (src/rate-limits/rate-limit.rules.ts). */
  RATE_LIMIT_TIERS: rateLimitTiersSchema.default(mergeTierLimits({})),

  STORY_EXPIRY_HOURS: z.coerce.number().min(1).max(168).default(24),
  STORY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** How often the expiry sweep runs; stories already vanish from queries at expires_at. */
  STORY_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),

  /** Keys regenerate one per interval up to the cap (a purchase may overfill above it). */
  KEYS_REGEN_CAP: z.coerce.number().int().min(0).max(1000).default(5),
  KEYS_REGEN_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(7 * 86400).default(1800),
  /** How often expired holds are released; an expired hold cannot be captured even before that. */
  HOLD_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How long a room keeps a dropped client's seat (and state) for the SDK's automatic reconnect. */
  ROOM_RECONNECT_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
  // story engagement XP waits this long for company before its batch commits (src/progression/progression.job.ts)
  XP_BATCH_LINGER_MS: z.coerce.number().int().min(0).max(5_000).default(25),

  /** Live streams (src/live). A stream's room holds this many clients; the next ones go to another shard. */
  LIVE_ROOM_MAX_CLIENTS: z.coerce.number().int().min(1).max(100_000).default(2000),
  /** The platform's share of every gift, in percent (the creator gets the rest, rounded down to whole tokens). */
  LIVE_PLATFORM_SHARE_PERCENT: z.coerce.number().int().min(0).max(100).default(30),
  /** Per-user chat token bucket: this many lines at once, refilled at LIVE_CHAT_REFILL_PER_S. */
  LIVE_CHAT_BURST: z.coerce.number().int().min(1).max(100).default(5),
  LIVE_CHAT_REFILL_PER_S: z.coerce.number().min(0.01).max(100).default(1),
  /** Room-wide flood limit: chat lines per second a room accepts from everyone together. */
  LIVE_ROOM_FLOOD_PER_S: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Global blocked words (comma-separated), masked in every stream besides the creator's own list. */
  LIVE_BLOCKED_WORDS: z.string().default(""),
  /** Velocity: gifts one sender may send per minute, and tokens per UTC day. */
  LIVE_GIFTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  LIVE_DAILY_SPEND_CAP: z.coerce.number().int().min(1).default(50_000),
  /** Mood: a reaction's weight halves every this many ms. */
  LIVE_MOOD_HALF_LIFE_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Media (LiveKit): without key and secret, media tokens are refused with media_not_configured. */
  LIVEKIT_URL: z.string().default("ws://localhost:7880"),
  LIVEKIT_API_KEY: z.string().min(1).optional(),
  LIVEKIT_API_SECRET: z.string().min(1).optional(),

  /** Graceful shutdown must finish within this bound, then the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(10_000),
  ENABLE_PLAYGROUND: booleanish.optional(),
  ADMIN_USERNAMES: z.string().optional(),

  /** Reports (src/moderation): a story reported by this many distinct users is hidden pending review. */
  REPORT_HIDE_THRESHOLD: z.coerce.number().int().min(1).max(10_000).default(3),

  /** Marketplace platform fee on an escrow capture, in basis points (1000 = 10%); at most half. */
  NEGOTIATION_FEE_BPS: z.coerce.number().int().min(0).max(5000).default(1000),

  // Payments: a provider without its settings is disabled (requests get provider_not_configured).
  RAZORPAY_KEY_ID: z.string().min(1).optional(),
  RAZORPAY_KEY_SECRET: z.string().min(1).optional(),
  RAZORPAY_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Tests point this at a local stand-in; production keeps Razorpay's own (https enforced). */
  RAZORPAY_API_BASE: z.string().url().default("https://api.razorpay.com"),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Tests point this at a local stand-in; absent means Stripe's own API. */
  STRIPE_API_BASE: z.string().url().optional(),
  /** Where Stripe Checkout sends the buyer back; `{CHECKOUT_SESSION_ID}` is filled in by Stripe. */
  STRIPE_SUCCESS_URL: z.string().url().optional(),
  STRIPE_CANCEL_URL: z.string().url().optional(),
  /** Apple root certificates (PEM blocks or base64 DER, comma-separated) that StoreKit chains must end in. */
  APPLE_ROOT_CERTS: z.string().min(1).optional(),
  APPLE_BUNDLE_ID: z.string().min(1).optional(),
  /** Only signed environments: Xcode/LocalTesting transactions are unsigned and never accepted. */
  APPLE_ENVIRONMENT: z.enum(["Production", "Sandbox"]).default("Production"),
  /** The app's Apple id; Apple's verifier requires it for Production. */
  APPLE_APP_APPLE_ID: z.coerce.number().int().positive().optional(),
  // Media uploads (src/media). Limits are per file; the quota is what one user's stored media may total.
  /** Images: 15 MB holds a full-resolution phone photo (HEIC/JPEG) with room to spare. */
  MEDIA_IMAGE_MAX_BYTES: z.coerce.number().int().min(1024).default(15 * 1024 * 1024),
  /** Videos: 100 MB is a few minutes of phone video; longer belongs in a live stream's replay. */
  MEDIA_VIDEO_MAX_BYTES: z.coerce.number().int().min(1024).default(100 * 1024 * 1024),
  /** Per-user stored bytes (originals, variants, thumbnails together): 2 GiB. */
  MEDIA_QUOTA_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 * 1024 * 1024),
  /** Seed 002 §19: 10 uploads a minute per user. */
  MEDIA_UPLOADS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Media no story or highlight uses is deleted this long after upload (a client may upload, then post). */
  MEDIA_ORPHAN_GRACE_HOURS: z.coerce.number().min(0).max(24 * 90).default(24),
  MEDIA_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(10 * 60_000),
  /** Disk storage root; default DATA_DIR/media. */
  MEDIA_DIR: z.string().min(1).optional(),
  /** Base of the URLs handed out (a CDN in front of the bucket or of /media); default: this server or the bucket. */
  MEDIA_PUBLIC_BASE_URL: z.string().url().optional(),
  /** ffmpeg binary for video posters (ffprobe beside it); absent at boot → placeholder posters. */
  FFMPEG_PATH: z.string().min(1).default("ffmpeg"),
  /** With a bucket, media goes to S3 (or any S3-compatible server at S3_ENDPOINT) instead of the disk. */
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_ENDPOINT: z.string().url().optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style URLs (endpoint/bucket/key): what MinIO, s3rver and most S3-compatible servers need. */
  S3_FORCE_PATH_STYLE: booleanish.default(true),
  /** How long a presigned PUT stays valid. */
  S3_PRESIGN_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 86400).default(900),
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
  if (cfg.NODE_ENV === "production") {
    const insecure = [
      ["RAZORPAY_API_BASE", cfg.RAZORPAY_API_BASE],
      ["STRIPE_API_BASE", cfg.STRIPE_API_BASE],
    ].filter(([, url]) => url !== undefined && !url.startsWith("https://"));
    if (insecure.length > 0) {
      throw new ConfigError(`Invalid configuration:\n${insecure.map(([k]) => `  ${k}: must be https in production`).join("\n")}`);
    }
    if (cfg.APPLE_ROOT_CERTS && cfg.APPLE_ENVIRONMENT === "Production" && cfg.APPLE_APP_APPLE_ID === undefined) {
      throw new ConfigError("Invalid configuration:\n  APPLE_APP_APPLE_ID: required with APPLE_ENVIRONMENT=Production");
    }
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
