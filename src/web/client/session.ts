/**
 * The signed-in session (tokens from POST /auth/register|login), kept in localStorage so a reload
 * stays signed in. Access tokens are short-lived; `refresh()` rotates them with the refresh token.
 */
export interface SessionUser {
  id: string;
  username: string;
  display_name: string;
  roles: string[];
}
export interface Session {
  user: SessionUser;
  access_token: string;
  refresh_token: string;
}

const KEY = "limelight.session";
const listeners = new Set<(s: Session | null) => void>();

export function currentSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) localStorage.setItem(KEY, JSON.stringify({ user: session.user, access_token: session.access_token, refresh_token: session.refresh_token }));
  else localStorage.removeItem(KEY);
  for (const l of listeners) l(session);
}

export function onSessionChange(listener: (s: Session | null) => void): void {
  listeners.add(listener);
}
