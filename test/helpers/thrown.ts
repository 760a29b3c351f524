/**
 * The error `fn` throws; fails the test when it returns. Use it instead of `expect` inside a `catch` (which passes
 * silently when nothing is thrown, or catches the assertion it was meant to make): `expect(thrownBy(f)).toMatchObject(...)`.
 * test/architecture/test_hygiene.test.ts refuses `expect` inside a `catch` block.
 */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw, but it returned");
}
