import Foundation
import Testing

@testable import FerryStore

#if canImport(Glibc)
    import Glibc
#endif

/// The commit marker lets the signalling job skip its once-a-second identity query; it must move
/// with every commit, also one made by another process, and only then.
@Suite struct CommitMarkerTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func movesWithEveryCommitOfAnyProcessAndOnlyThen() async throws {
        try await TestDatabase.with(.sqlite) { database in
            let store = IdentityStore(database: database)
            let first = try #require(database.commitMarker(), "a WAL database has a marker")
            _ = try await store.version()
            _ = try await store.countUsers()
            #expect(database.commitMarker() == first, "reads commit nothing")

            _ = try await store.createUser(
                NewUser(email: "ann@example.org", displayName: "Ann", passwordHash: "h", isAdmin: false),
                now: now, audit: AuditEntry("user-created"))
            let afterOwnWrite = try #require(database.commitMarker())
            #expect(afterOwnWrite != first)

            // A second handle on the file stands in for the CLI, another process.
            let other = try await TestDatabase.reopen(database)
            _ = try await IdentityStore(database: other).createUser(
                NewUser(email: "bob@example.org", displayName: "Bob", passwordHash: "h", isAdmin: false),
                now: now, audit: AuditEntry("user-created"))
            await other.close()
            let afterOtherWrite = try #require(database.commitMarker())
            #expect(afterOtherWrite != afterOwnWrite, "a commit by another connection moves the marker")
            #expect(database.commitMarker() == afterOtherWrite, "and it stays while nothing commits")
        }
    }

    @Test func isAbsentWithoutAWriteAheadLog() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-none-\(UUID())").path
        #expect(WALIndexReader(databasePath: path).marker() == nil)
    }

    /// SQLite locks the `-shm` with POSIX record locks, which a process loses on a file when it
    /// closes any descriptor of it: reading the marker must leave the pool's locks in place,
    /// as another process (here `python3`, asking with `F_GETLK`) sees them.
    @Test func readingTheMarkerKeepsSQLitesLocksOnTheIndex() async throws {
        try await TestDatabase.with(.sqlite) { database in
            _ = try await IdentityStore(database: database).version()
            for _ in 0..<3 { #expect(database.commitMarker() != nil) }
            guard case .sqlite(let path) = database.location else { return }
            let script = """
                import fcntl, os, struct, sys
                fd = os.open(sys.argv[1], os.O_RDWR)
                asked = struct.pack("hhqqi", fcntl.F_WRLCK, 0, 128, 1, 0) + bytes(4)
                kind, _, _, _, pid = struct.unpack("hhqqi", fcntl.fcntl(fd, fcntl.F_GETLK, asked)[:28])
                print(kind, pid)
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, path + "-shm"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            process.waitUntilExit()
            let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let fields = answer.split(separator: " ").map { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(fields.count == 2 && fields[0] == Int32(F_RDLCK), "the pool's shared lock on the index: \(answer)")
            #expect(fields.last == getpid(), "held by this process: \(answer)")
        }
    }
}
