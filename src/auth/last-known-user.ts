/**
 * The signed-in user as the server last described them, kept in the auth database so that the
 * app still knows whose session this is while the server is out of reach: the datasets kept on
 * this device are per user, and offline is when they matter most. It is only a description for
 * the page (the server never trusts it) and is forgotten whenever the session ends.
 */
import type { CurrentUser } from '../api/client.ts';
import { openAuthDatabase } from './auth-database.ts';

/**
 * Keeps `user` as the last known description of the signed-in user.
 *
 * @example
 * const user = await fetchCurrentUser();
 * await rememberCurrentUser(user);
 */
export async function rememberCurrentUser(user: CurrentUser): Promise<void> {
  const db = await openAuthDatabase();
  await db.put('current-user', { ...user }, 'me');
}

/**
 * The last known description of the signed-in user, if the session has not ended since.
 *
 * @example
 * const user = await lastKnownUser();
 */
export async function lastKnownUser(): Promise<CurrentUser | undefined> {
  const db = await openAuthDatabase();
  return (await db.get('current-user', 'me')) as CurrentUser | undefined;
}

/**
 * Forgets the description (at sign-out, or when the session ends on its own).
 *
 * @example
 * await forgetCurrentUser();
 */
export async function forgetCurrentUser(): Promise<void> {
  const db = await openAuthDatabase();
  await db.delete('current-user', 'me');
}
