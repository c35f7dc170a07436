import FerryDropFormat
import Foundation

/// `ferry send`: encrypts files with the drop format, uploads each through tus in chunks, seals
/// the metadata and creates the drop. An interrupted send of the same files (same absolute paths,
/// sizes and modification times) to the same server continues where the server's `HEAD` offsets
/// say: the state file keeps the secret and salts, so the re-sealed ciphertext is byte-identical.
public struct DropSender: Sendable {
    /// The server.
    public let api: DropAPI
    /// Where resume state lives.
    public let store: StateStore
    /// Whether to draw the progress bar.
    public let showProgress: Bool
    /// Notes for standard error ("resuming …").
    public let note: @Sendable (String) -> Void

    /// Bytes per `PATCH`: each is fsynced before it is acknowledged, so this is also how much a
    /// killed send can lose.
    public static let chunkSize: Int64 = 16 << 20
    /// Bytes of each file stream's salt (RFC 8188's 16).
    static let saltLength = 16
    /// Tries of one chunk before giving up (lost connections, a busy upload after a kill).
    static let attempts = 6

    public init(api: DropAPI, store: StateStore, showProgress: Bool, note: @escaping @Sendable (String) -> Void) {
        self.api = api
        self.store = store
        self.showProgress = showProgress
        self.note = note
    }

    /// Sends `items` as one drop; `resumable` false (standard input) keeps no state.
    public func send(_ items: [SendItem], options: SendOptions, resumable: Bool) async throws -> DropLink {
        guard !items.isEmpty else { throw DropClientError.invalidInput("nothing to send") }
        try await checkLimits(items, options: options)
        let key = StateStore.key(
            "send",
            [api.server, options.password == nil ? "open" : "password"]
                + items.flatMap { [$0.diskPath, $0.dropPath, String($0.size), String($0.modified)] })
        var (state, keys) = try resumable ? resumedState(key: key, count: items.count, options: options) : (nil, nil)
        if state == nil || keys == nil {
            let secret = DropKeys.newSecret()
            let passwordSalt = options.password.map { _ in Self.random(16) }
            let derived = try DropKeys.derive(secret: secret, password: Self.password(options.password, passwordSalt))
            var uploads: [SendState.Upload] = []
            for item in items {
                let url = try await api.createUpload(
                    length: item.ciphertextSize)
                uploads.append(SendState.Upload(url: url, salt: Base64URL.encode(Self.random(Self.saltLength))))
            }
            state = SendState(
                secret: Base64URL.encode(secret), passwordSalt: passwordSalt.map { Base64URL.encode($0) },
                verifier: Base64URL.encode(derived.proofVerifier), uploads: uploads)
            keys = derived
            if resumable, let state { try store.save(state, key: key) }
        }
        guard var state, let keys, let secret = Base64URL.decode(state.secret) else {
            throw DropClientError.io("the resume state is unreadable")
        }
        let total = items.reduce(Int64(0)) { $0 + $1.ciphertextSize }
        let progress = TransferProgress(total: total, label: "send", visible: showProgress)
        var base: Int64 = 0
        for (index, item) in items.enumerated() {
            try await upload(
                item, index: index, state: &state, key: resumable ? key : nil, keys: keys, progress: progress,
                base: base)
            base += item.ciphertextSize
        }
        progress.finish()
        let id = try await createDrop(
            .files(items, salts: state.uploads.map(\.salt)), keys: keys, passwordSalt: state.passwordSalt,
            uploads: state.uploads.map(\.url),
            options: options)
        store.remove(key: key)
        return DropLink(server: api.server, id: id, secret: secret)
    }

    /// Refuses, before anything is uploaded, a drop that the server would refuse only when it is
    /// made (its total size, file count, metadata size and expiry), each broken rule named.
    private func checkLimits(_ items: [SendItem], options: SendOptions) async throws {
        guard let limits = try await api.limits() else { return }
        // The salts are random, but of one length: the sealed size does not depend on them.
        let standIn = Base64URL.encode([UInt8](repeating: 0, count: Self.saltLength))
        let manifest = DropManifest.files(items, salts: Array(repeating: standIn, count: items.count))
        let jsonLength = try JSONEncoder().encode(manifest).count
        let size = items.reduce(Int64(0)) { $0 + $1.ciphertextSize }
        var problems = limits.problems(
            fileCount: items.count, ciphertextSize: size, metadataSize: SealedMetadata.sealedSize(jsonLength),
            options: options)
        if SealedMetadata.paddedSize(jsonLength) > SealedMetadata.maxPlaintextLength, problems.isEmpty {
            problems.append("the names and types of \(items.count) files are too long for one drop (send fewer files)")
        }
        guard problems.isEmpty else { throw DropClientError.invalidInput(problems.joined(separator: "; ")) }
    }

    /// Sends a text drop (no uploads: the text is in the sealed metadata).
    public func send(text: String, options: SendOptions) async throws -> DropLink {
        let secret = DropKeys.newSecret()
        let passwordSalt = options.password.map { _ in Self.random(16) }
        let keys = try DropKeys.derive(secret: secret, password: Self.password(options.password, passwordSalt))
        let id = try await createDrop(
            .text(text), keys: keys, passwordSalt: passwordSalt.map { Base64URL.encode($0) }, uploads: [],
            options: options)
        return DropLink(server: api.server, id: id, secret: secret)
    }

    /// The state of an interrupted send and its keys, if there is one that fits.
    private func resumedState(key: String, count: Int, options: SendOptions) throws -> (SendState?, DropKeys?) {
        guard let state = store.load(SendState.self, key: key), state.uploads.count == count,
            let secret = Base64URL.decode(state.secret)
        else { return (nil, nil) }
        let salt = state.passwordSalt.flatMap { Base64URL.decode($0) }
        guard (salt == nil) == (options.password == nil),
            let keys = try? DropKeys.derive(secret: secret, password: Self.password(options.password, salt)),
            Base64URL.encode(keys.proofVerifier) == state.verifier
        else {
            note("an interrupted send of these files used another password: starting over")
            return (nil, nil)
        }
        note(
            "continuing an earlier send of these files that did not finish: what it uploaded is not sent again"
                + " (\(store.url(key).path))")
        return (state, keys)
    }

    /// Uploads one file from the server's offset on, chunk by chunk, retrying lost chunks.
    private func upload(
        _ item: SendItem, index: Int, state: inout SendState, key: String?, keys: DropKeys,
        progress: TransferProgress, base: Int64
    ) async throws {
        guard let salt = Base64URL.decode(state.uploads[index].salt) else {
            throw DropClientError.io("the resume state is unreadable")
        }
        let reader = try EncryptingFileReader(
            path: item.diskPath, plaintextSize: item.size, ikm: keys.contentIKM, salt: salt)
        let length = reader.ciphertextLength
        var failures = 0
        var started = false
        while true {
            var offset: Int64
            do {
                guard let known = try await api.uploadOffset(state.uploads[index].url) else {
                    // Expired or swept: upload this file again (same salt, same bytes).
                    state.uploads[index].url = try await api.createUpload(length: length)
                    if let key { try store.save(state, key: key) }
                    continue
                }
                offset = known
                if !started {
                    // What an earlier run uploaded: done, but not part of this run's speed.
                    progress.skip(known)
                    started = true
                }
                progress.set(base + offset)
                try await appendChunks(
                    to: state.uploads[index].url, from: offset, of: length, reader: reader, progress: progress,
                    base: base
                ) { failures = 0 }
                return
            } catch let error as DropClientError {
                switch error {
                // 460: a chunk that arrived damaged was not kept; it is sealed and sent again.
                case .io, .server(status: 409, _), .server(status: 460, _), .server(status: 500...599, _):
                    failures += 1
                    guard failures < Self.attempts else { throw error }
                    try await Task.sleep(for: .milliseconds(250 * failures))
                default:
                    throw error
                }
            }
        }
    }

    /// Sends the file's ciphertext from `offset` to `length` in chunks, each read and hashed
    /// while the one before is on its way (so hashing for `Upload-Checksum` costs no time).
    private func appendChunks(
        to url: String, from offset: Int64, of length: Int64, reader: EncryptingFileReader,
        progress: TransferProgress, base: Int64, acknowledged: () -> Void
    ) async throws {
        try await reader.seek(to: offset)
        let chunkSize = Self.chunkSize
        func prepare(_ at: Int64) -> Task<CiphertextChunk, any Error>? {
            guard at < length else { return nil }
            return Task {
                try await CiphertextChunk.read(from: reader, offset: at, length: min(chunkSize, length - at))
            }
        }
        var next = prepare(offset)
        do {
            while let current = next {
                let chunk = try await current.value
                next = prepare(chunk.offset + Int64(chunk.bytes.readableBytes))
                let acknowledgedOffset = try await api.append(to: url, chunk: chunk) { progress.add($0) }
                // Two chunks' memory in turn: one on its way, the next being read into the other.
                await reader.recycle(chunk.bytes)
                progress.set(base + acknowledgedOffset)
                acknowledged()
                guard acknowledgedOffset == chunk.offset + Int64(chunk.bytes.readableBytes) else {
                    throw DropClientError.io(
                        "the server acknowledged offset \(acknowledgedOffset) for a chunk ending elsewhere")
                }
            }
        } catch {
            // The caller seeks the reader to the server's offset next: a read still under way
            // would otherwise take the bytes after that seek.
            if let next { _ = try? await next.value }
            throw error
        }
    }

    private func createDrop(
        _ manifest: DropManifest, keys: DropKeys, passwordSalt: String?, uploads: [String], options: SendOptions
    ) async throws -> String {
        let json = Array(try JSONEncoder().encode(manifest))
        let sealed = try SealedMetadata.seal(json: json, key: keys.metadataKey)
        let body = NewDropRequest(
            verifier: Base64URL.encode(keys.proofVerifier), metadata: Base64URL.encode(sealed),
            files: uploads.map { String($0.split(separator: "/").last ?? "") },
            password: passwordSalt.map {
                NewDropRequest.Password(salt: $0, iterations: DropFormat.minPasswordIterations)
            },
            expiresIn: options.expiresIn, maxDownloads: options.maxDownloads)
        return try await api.createDrop(body)
    }

    private static func password(_ password: String?, _ salt: [UInt8]?) -> DropPassword? {
        guard let password, let salt else { return nil }
        return DropPassword(password: password, salt: salt)
    }

    static func random(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in generator.next() }
    }
}
