import { currentSession, saveSession, type Session } from "./session";

/** The public REST API (`/api/v1`), as any client would call it. Errors are `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function send(method: string, path: string, body: unknown, token: string | undefined): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  // a FormData body goes as multipart (the browser sets its boundary); anything else as JSON
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) headers["Content-Type"] = "application/json";
  return fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : multipart ? body : JSON.stringify(body) });
}

async function read<T>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } }).error;
    throw new ApiError(res.status, err?.code ?? "http_error", err?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

/** One refresh at a time, shared by every request that found its token expired. */
let refreshing: Promise<Session | null> | undefined;

export function refreshSession(): Promise<Session | null> {
  const session = currentSession();
  if (!session) return Promise.resolve(null);
  refreshing ??= send("POST", "/auth/refresh", { refresh_token: session.refresh_token }, undefined)
    .then((res) => read<Session>(res))
    .then(
      (fresh) => (saveSession({ ...session, ...fresh }), currentSession()),
      () => (saveSession(null), null),
    )
    .finally(() => (refreshing = undefined));
  return refreshing;
}

/** A signed-in call (a JSON body, or FormData for multipart); an expired access token is refreshed once and the call repeated. */
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body, currentSession()?.access_token);
  if (res.status === 401 && currentSession()) {
    const fresh = await refreshSession();
    if (fresh) return read<T>(await send(method, path, body, fresh.access_token));
  }
  return read<T>(res);
}

/** A call without a token (register, login). */
export async function publicApi<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  return read<T>(await send(method, path, body, undefined));
}
