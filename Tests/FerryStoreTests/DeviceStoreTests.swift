import Foundation
import Testing

@testable import FerryStore

/// Devices on both stores: registered once per id, renamed, never re-keyed or taken over, listed
/// per user, and deleted.
@Suite struct DeviceStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: TestBackend.available)
    func aDeviceKeepsItsKeyAndItsUser(_ backend: TestBackend) async throws {
        try await TestDatabase.with(backend) { database in
            let identity = IdentityStore(database: database)
            let devices = DeviceStore(database: database)
            let ann = try await identity.testUser("Ann", now: now)
            let bob = try await identity.testUser("Bob", now: now)
            let versionBefore = try await identity.version()

            let first = try await devices.register(id: "D1", userID: ann.id, name: "Laptop", publicKey: "K1", now: now)
            #expect(first.created && first.device.name == "Laptop")
            let later = now.addingTimeInterval(60)
            let renamed = try await devices.register(
                id: "D1", userID: ann.id, name: "Desk", publicKey: "K1", now: later)
            #expect(!renamed.created && renamed.device.name == "Desk" && renamed.device.lastSeenAt == later)
            await #expect(throws: StoreError.deviceKeyMismatch) {
                _ = try await devices.register(id: "D1", userID: ann.id, name: "Desk", publicKey: "K2", now: later)
            }
            await #expect(throws: StoreError.deviceKeyMismatch) {
                _ = try await devices.register(id: "D1", userID: bob.id, name: "Mine", publicKey: "K1", now: later)
            }
            _ = try await devices.register(id: "D2", userID: ann.id, name: "Phone", publicKey: "K3", now: now)
            #expect(try await devices.devices(userID: ann.id).map(\.id) == ["D1", "D2"])  // most recent first
            #expect(try await devices.devices(userID: bob.id).isEmpty)
            #expect(try await identity.version() == versionBefore, "devices are not credentials")

            await #expect(throws: StoreError.notFound) { try await devices.delete(id: "D1", userID: bob.id) }
            try await devices.delete(id: "D1", userID: ann.id)
            #expect(try await devices.device(id: "D1") == nil)
        }
    }
}
