/**
 * An error the app itself raises with a message written for the person using it (a file of the
 * wrong kind, say): the error panel shows the message as it is, not as an unexpected failure.
 */
export class UserFacingError extends Error {
  override readonly name: string = 'UserFacingError';
}
