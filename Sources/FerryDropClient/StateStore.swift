import Crypto
import Foundation

/// Small JSON files that let an interrupted `ferry send` or `ferry get` continue: under
/// `$XDG_CACHE_HOME/ferry` (or `~/.cache/ferry`), one file per key, readable by the owner only
/// (they hold drop secrets). Written atomically (a temporary file renamed over the old one).
public struct StateStore: Sendable {
    /// The folder of the state files.
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The default folder: `$XDG_CACHE_HOME/ferry`, else `$HOME/.cache/ferry`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            return URL(fileURLWithPath: cache).appendingPathComponent("ferry")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/ferry")
    }

    /// A file name for the state of `kind` described by `parts` (hashed: the parts may be long
    /// paths or secrets).
    public static func key(_ kind: String, _ parts: [String]) -> String {
        let digest = SHA256.hash(data: Array(parts.joined(separator: "\u{0}").utf8))
        return kind + "-" + digest.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// The state stored under `key`, nil when there is none or it cannot be read.
    public func load<T: Decodable>(_ type: T.Type, key: String) -> T? {
        guard let data = try? Data(contentsOf: url(key)) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    /// Stores `value` under `key`.
    public func save(_ value: some Encodable, key: String) throws {
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(value)
            let temporary = directory.appendingPathComponent(".\(key).\(getpid()).tmp")
            guard
                FileManager.default.createFile(
                    atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw DropClientError.io("cannot write \(temporary.path)") }
            guard rename(temporary.path, url(key).path) == 0 else {
                throw DropClientError.io("cannot write \(url(key).path)")
            }
        } catch let error as DropClientError {
            throw error
        } catch {
            throw DropClientError.io("cannot write the resume state in \(directory.path): \(error)")
        }
    }

    /// How long a state is kept untouched before ``prune(now:)`` deletes it: longer than an
    /// unfinished upload or a download ticket lives on a server by default, so nothing that could
    /// still be continued goes (they hold drop secrets: they should not stay for ever either).
    public static let keptFor: TimeInterval = 14 * 86400

    /// Deletes the states not written for ``keptFor`` (and temporary files a crash left).
    public func prune(now: Date = Date()) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasSuffix(".json") || name.hasSuffix(".tmp") {
            let path = directory.appendingPathComponent(name).path
            guard let modified = (try? manager.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                now.timeIntervalSince(modified) > (name.hasSuffix(".tmp") ? 3600 : Self.keptFor)
            else { continue }
            try? manager.removeItem(atPath: path)
        }
    }

    /// Forgets the state under `key`.
    public func remove(key: String) {
        try? FileManager.default.removeItem(at: url(key))
    }

    /// The file of `key`.
    public func url(_ key: String) -> URL {
        directory.appendingPathComponent(key + ".json")
    }
}
