/// A condition that never held.
struct TimeoutError: Error {}
