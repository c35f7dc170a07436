import FerryHTTP
import Foundation
import Testing

@testable import FerryApp

/// Revoking or deleting a drop ends the leases of its downloads under way, and only its own;
/// extending it moves their deadline; finished downloads leave nothing behind.
@Suite struct DownloadLeasesTests {
    @Test func endingADropEndsItsDownloadsOnly() {
        let leases = DownloadLeases()
        let a1 = leases.lease("a").lease
        let a2 = leases.lease("a").lease
        let b = leases.lease("b").lease
        #expect(!a1.hasEnded && !a2.hasEnded && !b.hasEnded)
        leases.end("a")
        #expect(a1.hasEnded && a2.hasEnded)
        #expect(!b.hasEnded)
        #expect(leases.count(of: "a") == 0)
    }

    @Test func aLeaseEndsAtItsDeadlineAndRenewingMovesIt() async throws {
        let leases = DownloadLeases()
        let (lease, stamp) = leases.lease("a")
        leases.settle(lease, of: "a", stamp: stamp, until: .now + .milliseconds(300))
        #expect(!lease.hasEnded)
        try await Task.sleep(for: .milliseconds(400))
        #expect(lease.hasEnded, "its deadline passed")
        leases.renew("a", until: .now + .seconds(3600))
        #expect(!lease.hasEnded, "extended")
        leases.renew("a", until: .now - .seconds(1))
        #expect(lease.hasEnded, "shortened into the past")
    }

    /// The drop was read before an owner extended it: the extension, newer, wins over the
    /// deadline settled from the older read.
    @Test func aChangeAfterTheReadWinsOverTheReadsDeadline() {
        let leases = DownloadLeases()
        let (lease, stamp) = leases.lease("a")
        leases.renew("a", until: .now + .seconds(3600))
        leases.settle(lease, of: "a", stamp: stamp, until: .now - .seconds(1))
        #expect(!lease.hasEnded)
    }

    @Test func finishedDownloadsAreForgotten() {
        let leases = DownloadLeases()
        do {
            _ = leases.lease("a")
        }
        let kept = leases.lease("a").lease
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
