import Foundation
import Testing

@testable import FerryApp

@Suite("Sign-in limiter")
struct SlidingWindowLimiterTests {
    let start = Date(timeIntervalSince1970: 1_000_000)

    @Test func limitIsReachedExactlyAtTheLimit() {
        let limiter = SlidingWindowLimiter(limit: 3, window: 60)
        for second in 0..<3 {
            #expect(limiter.retryAfter("k", now: start.addingTimeInterval(Double(second))) == nil)
            limiter.record("k", now: start.addingTimeInterval(Double(second)))
        }
        // The third attempt was at +2 s; the first leaves the window at +60 s.
        #expect(limiter.retryAfter("k", now: start.addingTimeInterval(10)) == 50)
        #expect(limiter.retryAfter("k", now: start.addingTimeInterval(59.5)) == 1)
        #expect(limiter.retryAfter("k", now: start.addingTimeInterval(60)) == nil)
        #expect(limiter.retryAfter("other", now: start) == nil)
        limiter.reset("k")
        #expect(limiter.retryAfter("k", now: start.addingTimeInterval(10)) == nil)
    }

    @Test func keysAreBounded() {
        let limiter = SlidingWindowLimiter(limit: 1, window: 3600, maxKeys: 100)
        for index in 0..<1000 {
            limiter.record("key\(index)", now: start.addingTimeInterval(Double(index)))
        }
        // The newest keys are still limited, the oldest were dropped.
        #expect(limiter.retryAfter("key999", now: start.addingTimeInterval(1000)) != nil)
        #expect(limiter.retryAfter("key0", now: start.addingTimeInterval(1000)) == nil)
    }
}

@Suite("Sign-in limiter under concurrency")
struct SlidingWindowLimiterConcurrencyTests {
    /// Attempts are checked and counted in one step: a burst sent at once gets no more than the
    /// limit through.
    @Test func aBurstGetsExactlyTheLimitThrough() async {
        let limiter = SlidingWindowLimiter(limit: 3, window: 60)
        let now = Date()
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { limiter.attempt("account:ann", now: now) == nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 3)
        #expect(limiter.attempt("account:ann", now: now.addingTimeInterval(61)) == nil)
    }
}
