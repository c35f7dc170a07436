/// Polls `condition` until it holds; throws after ten seconds so a broken test fails instead of
/// hanging.
func eventually(_ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TimeoutError() }
        try await Task.sleep(for: .milliseconds(2))
    }
}
