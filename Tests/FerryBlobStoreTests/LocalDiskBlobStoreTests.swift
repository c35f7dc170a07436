import Foundation
import NIOCore
import Testing

@testable import FerryBlobStore

@Suite struct LocalDiskBlobStoreTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-blobs-\(UUID().uuidString)").path

    func bytes(_ count: Int, seed: UInt8 = 0) -> ByteBuffer {
        ByteBuffer(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
    }

    @Test func appendsCompletesAndServes() async throws {
        let store = try LocalDiskBlobStore(root: root)
        try await store.createUpload("a")
        #expect(try await store.file("a") == nil)
        let appender = try await store.appender(forUpload: "a", at: 0)
        // Small pieces are batched; a large one is written at once.
        for _ in 0..<3 { try await appender.append(bytes(1000)) }
        try await appender.append(bytes(2 << 20, seed: 7))
        #expect(await appender.length == 3000 + 2 << 20)
        try await appender.sync()
        try await appender.close()
        try await store.completeUpload("a")
        let file = try #require(try await store.file("a"))
        #expect(file.length == 3000 + 2 << 20)
        var expected = bytes(1000)
        expected.writeImmutableBuffer(bytes(1000))
        expected.writeImmutableBuffer(bytes(1000))
        expected.writeImmutableBuffer(bytes(2 << 20, seed: 7))
        #expect(try await store.get("a") == expected)
        #expect(!FileManager.default.fileExists(atPath: root + "/a.part"))
    }

    @Test func resumingCutsUnacknowledgedBytes() async throws {
        let store = try LocalDiskBlobStore(root: root)
        try await store.createUpload("b")
        var appender = try await store.appender(forUpload: "b", at: 0)
        try await appender.append(bytes(5000))
        try await appender.sync()
        try await appender.close()
        // Acknowledged 4000 only (the server died before recording 5000).
        appender = try await store.appender(forUpload: "b", at: 4000)
        #expect(await appender.length == 4000)
        try await appender.append(bytes(10, seed: 1))
        try await appender.truncate(to: 4005)
        try await appender.sync()
        try await appender.close()
        try await store.completeUpload("b")
        #expect(try await store.file("b")?.length == 4005)
        // More acknowledged than present is a lost write, never silently a hole.
        try await store.createUpload("c")
        await #expect(throws: BlobStoreError.self) { try await store.appender(forUpload: "c", at: 10) }
        await #expect(throws: BlobStoreError.notFound("zz")) { try await store.appender(forUpload: "zz", at: 0) }
    }

    @Test func concatenatesPutsAndDeletes() async throws {
        let store = try LocalDiskBlobStore(root: root)
        try await store.put("p1", bytes: bytes(3))
        try await store.put("p2", bytes: bytes(70_000, seed: 9))
        try await store.concatenate(["p1", "p2"], into: "joined")
        var expected = bytes(3)
        expected.writeImmutableBuffer(bytes(70_000, seed: 9))
        #expect(try await store.get("joined") == expected)
        #expect(try await store.list().map(\.id) == ["joined", "p1", "p2"])
        try await store.delete("joined")
        try await store.delete("joined")  // twice is fine
        #expect(try await store.file("joined") == nil)
        await #expect(throws: BlobStoreError.notFound("joined")) { try await store.get("joined") }
    }
}
