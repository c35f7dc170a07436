import FerryStore
import Foundation

/// A drop as its owner sees it (`GET /drops`): never a name.
struct DropDocument: Encodable, Sendable {
    var id: String
    var createdAt: Date
    var expiresAt: Date
    var maxDownloads: Int?
    var downloads: Int
    var size: Int64
    var fileCount: Int
    var state: String
    var hasPassword: Bool

    init(_ drop: Drop, now: Date) {
        id = drop.id
        createdAt = drop.createdAt
        expiresAt = drop.expiresAt
        maxDownloads = drop.maxDownloads
        downloads = drop.downloads
        size = drop.size
        fileCount = drop.fileCount
        state = drop.state(at: now).rawValue
        hasPassword = drop.passwordSalt != nil
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(maxDownloads, forKey: .maxDownloads)  // null: no limit
        try container.encode(downloads, forKey: .downloads)
        try container.encode(size, forKey: .size)
        try container.encode(fileCount, forKey: .fileCount)
        try container.encode(state, forKey: .state)
        try container.encode(hasPassword, forKey: .hasPassword)
    }

    enum CodingKeys: String, CodingKey {
        case id, createdAt, expiresAt, maxDownloads, downloads, size, fileCount, state, hasPassword
    }
}

/// What anyone with the link learns before proving (`GET /drops/{dropID}`).
struct DropInfoDocument: Encodable, Sendable {
    struct Password: Encodable, Sendable {
        var salt: String
        var iterations: Int
    }

    var id: String
    var password: Password?
    var fileCount: Int
    var size: Int64
    var expiresAt: Date
    var downloadsLeft: Int?

    init(_ drop: Drop) {
        id = drop.id
        if let salt = drop.passwordSalt, let iterations = drop.passwordIterations {
            password = Password(salt: salt, iterations: iterations)
        }
        fileCount = drop.fileCount
        size = drop.size
        expiresAt = drop.expiresAt
        downloadsLeft = drop.maxDownloads.map { max(0, $0 - drop.downloads) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(password, forKey: .password)
        try container.encode(fileCount, forKey: .fileCount)
        try container.encode(size, forKey: .size)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(downloadsLeft, forKey: .downloadsLeft)
    }

    enum CodingKeys: String, CodingKey {
        case id, password, fileCount, size, expiresAt, downloadsLeft
    }
}

/// The answer to `POST /drops/{dropID}/open`.
struct OpenedDropDocument: Encodable, Sendable {
    struct File: Encodable, Sendable {
        var size: Int64
    }

    var ticket: String
    var ticketExpiresAt: Date
    var metadata: String
    var files: [File]
}
