import type { components } from './api/intake';

export type TokenResponse = components['schemas']['TokenResponseDto'];
export type User = components['schemas']['UserDto'];

interface Stored {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  user: User;
}

const KEY = 'hcp.session';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * The signed-in user's tokens, kept for the browser tab (sessionStorage). The access token is
 * refreshed shortly before it expires, one refresh at a time (a refresh token is single use).
 */
class Session {
  private current: Stored | null = load();
  private refreshing: Promise<string | null> | null = null;
  private readonly listeners = new Set<() => void>();

  get user(): User | null {
    return this.current?.user ?? null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  signedIn(tokens: TokenResponse): void {
    this.set({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: Date.now() + tokens.expiresIn * 1000,
      user: tokens.user,
    });
  }

  async accessToken(): Promise<string | null> {
    const current = this.current;
    if (!current) return null;
    if (current.expiresAt - Date.now() > REFRESH_MARGIN_MS) return current.accessToken;
    this.refreshing ??= this.refresh(current.refreshToken).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /** A service refused the token (expired, role changed beyond it): sign out. */
  expired(): void {
    if (this.current) this.set(null);
  }

  async signOut(): Promise<void> {
    const current = this.current;
    this.set(null);
    if (current) {
      await fetch('/api/v1/auth/logout', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      }).catch(() => undefined);
    }
  }

  private async refresh(refreshToken: string): Promise<string | null> {
    const response = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => null);
    if (!response?.ok) {
      this.set(null);
      return null;
    }
    const tokens = (await response.json()) as TokenResponse;
    this.signedIn(tokens);
    return tokens.accessToken;
  }

  private set(value: Stored | null): void {
    this.current = value;
    if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
    else sessionStorage.removeItem(KEY);
    for (const listener of this.listeners) listener();
  }
}

function load(): Stored | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

export const session = new Session();
