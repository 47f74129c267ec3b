/** How a user is named in lists and pickers: display name, with the username to tell apart. */

/**
 * @example
 * userLabel({ username: 'dave', displayName: 'Dave Davis' }); // "Dave Davis (dave)"
 */
export function userLabel(user: { username: string; displayName: string }): string {
  if (!user.displayName || user.displayName === user.username) return user.username;
  return `${user.displayName} (${user.username})`;
}
