import FerryHTTP
import Foundation
import Testing

@testable import FerryApp

/// Revoking or deleting a drop ends the leases of its downloads under way, and only its own;
/// extending it moves their deadline; finished downloads leave nothing behind.
@Suite struct DownloadLeasesTests {
    @Test func endingADropEndsItsDownloadsOnly() {
        let leases = DownloadLeases()
        let far = ContinuousClock.now + .seconds(3600)
        let a1 = leases.lease("a", until: far)
        let a2 = leases.lease("a", until: far)
        let b = leases.lease("b", until: far)
        #expect(!a1.hasEnded && !a2.hasEnded && !b.hasEnded)
        leases.end("a")
        #expect(a1.hasEnded && a2.hasEnded)
        #expect(!b.hasEnded)
        #expect(leases.count(of: "a") == 0)
    }

    @Test func aLeaseEndsAtItsDeadlineAndRenewingMovesIt() async throws {
        let leases = DownloadLeases()
        let lease = leases.lease("a", until: .now + .milliseconds(50))
        leases.renew("a", until: .now + .seconds(3600))
        try await Task.sleep(for: .milliseconds(80))
        #expect(!lease.hasEnded, "extended")
        leases.renew("a", until: .now - .seconds(1))
        #expect(lease.hasEnded, "shortened into the past")
    }

    @Test func finishedDownloadsAreForgotten() {
        let leases = DownloadLeases()
        do {
            _ = leases.lease("a", until: .now + .seconds(60))
        }
        let kept = leases.lease("a", until: .now + .seconds(60))
        #expect(leases.count(of: "a") == 1, "the released lease is gone")
        withExtendedLifetime(kept) {}
    }
}

/// A download's lease ends when its drop expires, measured on the service's clock.
@Suite struct DropDeadlineTests {
    @Test func theDeadlineIsTheExpiryAsSeenFromNow() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let before = ContinuousClock.now
        let deadline = DropService.deadline(now.addingTimeInterval(90), now: now)
        let after = ContinuousClock.now
        #expect(deadline >= before + .seconds(90) && deadline <= after + .seconds(90))
        #expect(DropService.deadline(now.addingTimeInterval(-5), now: now) < before, "expired: already past")
    }
}
