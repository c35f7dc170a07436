import Testing

@testable import FerryDropClient

@Suite("The server's drop limits, checked before a send")
struct DropLimitsTests {
    static let limits = DropLimits(
        maxDropSize: 1000, maxDropFiles: 3, maxMetadataSize: 2000,
        expiresIn: .init(min: 60, default: 3600, max: 7200), maxDownloads: .init(min: 1, max: 10))

    @Test("a drop at every limit fits")
    func atTheLimits() {
        let options = SendOptions(expiresIn: 7200, maxDownloads: 10)
        #expect(Self.limits.problems(fileCount: 3, ciphertextSize: 1000, metadataSize: 2000, options: options) == [])
        let shortest = SendOptions(expiresIn: 60, maxDownloads: 1)
        #expect(Self.limits.problems(fileCount: 0, ciphertextSize: 0, metadataSize: 1052, options: shortest) == [])
        #expect(Self.limits.problems(fileCount: 1, ciphertextSize: 1, metadataSize: 1, options: SendOptions()) == [])
    }

    @Test("one past each limit is named, all at once")
    func pastTheLimits() {
        let options = SendOptions(expiresIn: 7201, maxDownloads: 11)
        let problems = Self.limits.problems(fileCount: 4, ciphertextSize: 1001, metadataSize: 2001, options: options)
        #expect(
            problems == [
                "4 files: this server takes at most 3 in one drop",
                "1001 B encrypted: this server takes drops of at most 1000 B",
                "the names and types of the files take 2001 bytes sealed: this server takes at most 2000 bytes (send fewer files)",
                "--expires: this server keeps drops from 1 minute to 2 hours",
                "--downloads: from 1 to 10 on this server",
            ])
        let tooShort = Self.limits.problems(
            fileCount: 1, ciphertextSize: 1, metadataSize: 1, options: SendOptions(expiresIn: 59))
        #expect(tooShort == ["--expires: this server keeps drops from 1 minute to 2 hours"])
        // Sizes far apart are rounded.
        let large = Self.limits.problems(
            fileCount: 1, ciphertextSize: 5 << 20, metadataSize: 1, options: SendOptions())
        #expect(large == ["5.0 MiB encrypted: this server takes drops of at most 1000 B"])
    }
}
