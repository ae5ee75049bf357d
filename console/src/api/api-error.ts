/**
 * A failed call, with what the server said: for the Management API its envelope's message and errorCode, shown to
 * the user as they are (the API's own validation messages, not ours). Status 0 means refreshd was not reached.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Pending calls are dropped when the user signs out; views ignore this error (they are being unmounted). */
export class SignedOutError extends Error {
  constructor() {
    super('signed out');
    this.name = 'SignedOutError';
  }
}
