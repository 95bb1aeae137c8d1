/** Assertion shared by the error-path tests. */
import { expect } from 'vitest';
import { AdtError } from '../../src/errors.js';

/**
 * Asserts that `fn` throws an {@link AdtError} with the given `code` (and, when given, a
 * message matching `message`); returns the error for further checks.
 */
export function expectAdtError(fn: () => unknown, code: string, message?: RegExp): AdtError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(AdtError);
  expect((caught as AdtError).code).toBe(code);
  if (message) expect((caught as Error).message).toMatch(message);
  return caught as AdtError;
}
