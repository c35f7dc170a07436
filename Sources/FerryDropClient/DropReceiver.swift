import FerryDropFormat
import Foundation

/// `ferry get`: opens a drop (one counted download; the ticket is kept so a rerun is not counted
/// again), then fetches each file in 16 MiB ranges, verifying and decrypting record by record as
/// the bytes arrive. A file is written under a temporary name and renamed into place only once its
/// whole stream verified; a rerun continues a partial file from its last whole record.
public struct DropReceiver: Sendable {
    /// Where the plaintext goes.
    public enum Output: Sendable, Equatable {
        /// Files under this folder, by their sanitised paths.
        case directory(String)
        /// A single file's or a text's bytes on standard output.
        case standardOutput
    }

    /// The server of the link.
    public let api: DropAPI
    /// Where resume state lives.
    public let store: StateStore
    /// Whether to draw the progress bar.
    public let showProgress: Bool
    /// Notes for standard error ("resuming …").
    public let note: @Sendable (String) -> Void

    /// Bytes per range request: a revoked drop stops a download within one range.
    public static let rangeSize: Int64 = 16 << 20

    public init(api: DropAPI, store: StateStore, showProgress: Bool, note: @escaping @Sendable (String) -> Void) {
        self.api = api
        self.store = store
        self.showProgress = showProgress
        self.note = note
    }

    /// Downloads the drop of `link`; `password` is asked only for a password drop. Returns the
    /// paths written (empty for a text or standard output).
    public func receive(
        _ link: DropLink, to output: Output, password: @Sendable () throws -> String
    ) async throws -> [String] {
        // Per output: files already complete in one folder say nothing about another.
        let place: String
        switch output {
        case .directory(let folder): place = URL(fileURLWithPath: folder).standardizedFileURL.path
        case .standardOutput: place = "-"
        }
        let key = StateStore.key("get", [link.server, link.id, Base64URL.encode(link.secret), place])
        // The drop's download ticket, for every output: a run into another folder (after a wrong
        // `-o`) continues on it instead of opening, and counting, the drop again.
        let ticketKey = StateStore.key("ticket", [link.server, link.id, Base64URL.encode(link.secret)])
        do {
            return try await receive(link, to: output, password: password, key: key, ticketKey: ticketKey)
        } catch DropClientError.gone(let detail) {
            store.remove(key: ticketKey)
            // Revoked, deleted, expired or used up, maybe during the download: no run can continue
            // it, so what an earlier run or this one left goes with the state.
            var removed = false
            for path in store.load(GetState.self, key: key)?.partials ?? [] {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.int64Value
                if (try? FileManager.default.removeItem(atPath: path)) != nil, (size ?? 0) > 0 { removed = true }
            }
            store.remove(key: key)
            throw DropClientError.gone(removed ? "\(detail) The unfinished part of the download was removed." : detail)
        }
    }

    private func receive(
        _ link: DropLink, to output: Output, password: @Sendable () throws -> String, key: String,
        ticketKey: String
    ) async throws -> [String] {
        // The same command again after it finished: nothing to do while the files are all there
        // (opening the drop again would count a download, and every file would be in the way).
        if let done = store.load(GetState.self, key: key)?.finished, case .directory(let folder) = output {
            if done.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
                note("already downloaded: \(done.count == 1 ? done[0] : "\(done.count) files in \(folder)")")
                return []
            }
        }
        let info: DropInfo
        do {
            info = try await api.info(dropID: link.id)
        } catch DropClientError.server(status: 404, let detail) {
            throw DropClientError.gone(detail)  // deleted (or never made): no run can continue it
        }
        if case .standardOutput = output, info.fileCount > 1 {
            // Said before the drop is opened: a wrong `-o` must not use up a download.
            throw DropClientError.invalidInput(
                "-o - writes one file; this drop has \(info.fileCount) (nothing was downloaded): give a folder with -o DIR"
            )
        }
        var dropPassword: DropPassword?
        if let parameters = info.password {
            guard let salt = Base64URL.decode(parameters.salt) else {
                throw DropClientError.damaged("the drop's password salt is malformed")
            }
            dropPassword = DropPassword(password: try password(), salt: salt, iterations: parameters.iterations)
        }
        let keys: DropKeys
        do {
            keys = try DropKeys.derive(secret: link.secret, password: dropPassword)
        } catch {
            throw DropClientError.damaged("\(error)")
        }
        let state = store.load(GetState.self, key: key)
        if state != nil { note("resuming an interrupted download (not counted again)") }
        return try await receive(
            link, keys: keys, hasPassword: dropPassword != nil, state: state, key: key, ticketKey: ticketKey,
            output: output)
    }

    /// The download once the keys are derived: opens the drop (or continues with `state`'s
    /// ticket) and writes its files or text.
    private func receive(
        _ link: DropLink, keys: DropKeys, hasPassword: Bool, state: GetState?, key: String, ticketKey: String,
        output: Output
    ) async throws -> [String] {
        var state = state
        let opened: OpenedDrop
        do {
            let ticket = state?.ticket ?? store.load(GetState.self, key: ticketKey)?.ticket
            opened = try await api.open(dropID: link.id, proof: keys.proofToken, ticket: ticket)
            try store.save(GetState(ticket: opened.ticket, completed: []), key: ticketKey)
        } catch DropClientError.server(status: 403, _) {
            throw !hasPassword
                ? DropClientError.linkRefused
                : DropClientError.wrongPassword
        }
        if state?.ticket != opened.ticket {
            // An expired ticket was replaced (that open counted); verified files stay verified.
            if state == nil { state = GetState(ticket: opened.ticket, completed: []) }
            state?.ticket = opened.ticket
        }
        guard var state else { throw DropClientError.io("no download ticket") }
        try store.save(state, key: key)

        guard let sealed = Base64URL.decode(opened.metadata) else {
            throw DropClientError.damaged("the metadata is not base64url")
        }
        let manifest: DropManifest
        do {
            let json = try SealedMetadata.open(sealed, key: keys.metadataKey)
            manifest = try JSONDecoder().decode(DropManifest.self, from: Data(json))
        } catch {
            throw DropClientError.damaged("the metadata does not open")
        }
        if manifest.kind == "text" {
            let text = manifest.text ?? ""
            FileHandle.standardOutput.write(Data(text.utf8))
            // On a terminal the prompt would run on after a text without a last line break;
            // piped, the text stays exactly as it was sent.
            if isatty(STDOUT_FILENO) != 0, !text.isEmpty, !text.hasSuffix("\n") {
                FileHandle.standardOutput.write(Data("\n".utf8))
            }
            store.remove(key: key)
            store.remove(key: ticketKey)  // done: another run is another download
            return []
        }
        guard manifest.kind == "files", let files = manifest.files, files.count == opened.files.count else {
            throw DropClientError.damaged("the metadata does not match the drop's files")
        }
        for (file, stored) in zip(files, opened.files)
        where file.size < 0 || CiphertextLayout.ciphertextLength(plaintextSize: file.size) != stored.size {
            throw DropClientError.damaged("a file's stored length does not match its size")
        }
        let total = opened.files.reduce(Int64(0)) { $0 + $1.size }
        let progress = TransferProgress(total: total, label: "get", visible: showProgress)

        guard case .directory(let folder) = output else {
            guard files.count == 1 else {
                throw DropClientError.invalidInput("-o - writes one file; this drop has \(files.count)")
            }
            try await download(
                files[0], index: 0, link: link, keys: keys, ticket: state.ticket, to: FileHandle.standardOutput,
                from: 0, progress: progress)
            progress.finish()
            store.remove(key: key)
            store.remove(key: ticketKey)  // done: another run is another download
            return []
        }
        let targets = Self.targets(files.map(\.path), under: folder)
        if state.finished != nil {
            // Finished before, and a file of it went since: written again, the others kept.
            state.completed = targets.indices.filter { FileManager.default.fileExists(atPath: targets[$0]) }
            state.finished = nil
        }
        let inTheWay = targets.indices.filter {
            !state.completed.contains($0) && FileManager.default.fileExists(atPath: targets[$0])
        }
        if !inTheWay.isEmpty {
            // The drop is opened (and its download counted) before its names are known; the ticket
            // is kept, so the next run within its lifetime, into any folder, continues without
            // counting again.
            let names = inTheWay.prefix(10).map { targets[$0] }.joined(separator: ", ")
            let more = inTheWay.count > 10 ? " and \(inTheWay.count - 10) more" : ""
            throw DropClientError.invalidInput(
                "\(names)\(more) \(inTheWay.count == 1 ? "exists" : "exist"); not overwriting."
                    + " Move \(inTheWay.count == 1 ? "it" : "them") away, then run the same command again:"
                    + " this download is already counted, and the next run (into this folder or another) continues"
                    + " it without counting it again while its ticket lasts (a day by default)")
        }
        state.partials = targets.map { Self.partialPath(for: $0, tag: key) }
        try store.save(state, key: key)
        var written: [String] = []
        for (index, file) in files.enumerated() {
            let target = targets[index]
            defer { written.append(target) }
            if state.completed.contains(index) {
                progress.skip(opened.files[index].size)
                continue
            }
            try await receive(
                file, index: index, link: link, keys: keys, ticket: state.ticket, target: target, tag: key,
                progress: progress)
            state.completed.append(index)
            try store.save(state, key: key)
        }
        progress.finish()
        // Kept (with the ticket, until it is pruned with the other old states) so that the same
        // command again says it is done instead of opening the drop anew.
        state.finished = written
        state.partials = nil
        try? store.save(state, key: key)
        store.remove(key: ticketKey)  // done: a run into another folder is another download
        return written
    }

    /// Downloads one file to `target` through its temporary sibling.
    private func receive(
        _ file: DropManifest.File, index: Int, link: DropLink, keys: DropKeys, ticket: String, target: String,
        tag: String, progress: TransferProgress
    ) async throws {
        let url = URL(fileURLWithPath: target)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DropClientError.io("cannot create \(folder.path): \(error)")
        }
        let partial = Self.partialPath(for: target, tag: tag)
        var resumeFrom: Int64 = 0
        if FileManager.default.fileExists(atPath: partial) {
            let size =
                (try? FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber)??.int64Value ?? 0
            resumeFrom = CiphertextLayout.downloadResumePoint(plaintextWritten: min(size, file.size)).plaintextOffset
            if resumeFrom > 0 { note("continuing \(url.lastPathComponent) at \(TransferProgress.bytes(resumeFrom))") }
        } else {
            guard FileManager.default.createFile(atPath: partial, contents: nil) else {
                throw DropClientError.io("cannot write \(partial)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: partial) else {
            throw DropClientError.io("cannot write \(partial)")
        }
        do {
            try handle.truncate(atOffset: UInt64(resumeFrom))
            try handle.seekToEnd()
            try await download(
                file, index: index, link: link, keys: keys, ticket: ticket, to: handle, from: resumeFrom,
                progress: progress)
            try handle.synchronize()
            try handle.close()
        } catch let error as DropClientError {
            try? handle.close()
            if case .damaged = error { try? FileManager.default.removeItem(atPath: partial) }
            throw error
        } catch {
            try? handle.close()
            throw DropClientError.io("cannot write \(partial): \(error)")
        }
        guard rename(partial, target) == 0 else { throw DropClientError.io("cannot rename \(partial) to \(target)") }
    }

    /// Fetches, verifies and decrypts one file's stream from plaintext offset `from` (a record
    /// boundary) on, writing the plaintext to `handle` as each record verifies.
    private func download(
        _ file: DropManifest.File, index: Int, link: DropLink, keys: DropKeys, ticket: String, to handle: FileHandle,
        from: Int64, progress: TransferProgress
    ) async throws {
        guard let salt = Base64URL.decode(file.salt), salt.count == 16 else {
            throw DropClientError.damaged("a file's salt is malformed")
        }
        let point = CiphertextLayout.downloadResumePoint(plaintextWritten: from)
        let length = CiphertextLayout.ciphertextLength(plaintextSize: file.size)
        var decryptor = StreamDecryptor(
            ikm: keys.contentIKM, salt: salt, plaintextSize: file.size, firstRecord: point.record)
        if point.ciphertextOffset > 0 {
            // The header (for the salt check), then the records from the resume point.
            try await fetch(
                link, index: index, keys: keys, ticket: ticket, range: 0...Int64(CiphertextLayout.headerLength - 1)
            ) {
                _ = try decryptor.feed($0)
            }
        }
        progress.skip(point.ciphertextOffset)
        var at = point.ciphertextOffset
        while at < length {
            let end = min(length, at + Self.rangeSize) - 1
            try await fetch(link, index: index, keys: keys, ticket: ticket, range: at...end) { bytes in
                let plaintext = try decryptor.feed(bytes)
                if !plaintext.isEmpty { try handle.write(contentsOf: plaintext) }
                progress.add(bytes.count)
            }
            at = end + 1
        }
        try decryptor.finish()
    }

    /// One range request; `consume` gets the bytes as they arrive. Fails if fewer or more came.
    private func fetch(
        _ link: DropLink, index: Int, keys: DropKeys, ticket: String, range: ClosedRange<Int64>,
        consume: ([UInt8]) throws -> Void
    ) async throws {
        let response = try await api.file(
            dropID: link.id, index: index, proof: keys.proofToken, ticket: ticket, range: range)
        var received: Int64 = 0
        do {
            for try await buffer in response.body {
                received += Int64(buffer.readableBytes)
                guard received <= Int64(range.count) else {
                    throw DropClientError.damaged("the server sent more than the range")
                }
                try consume(Array(buffer.readableBytesView))
            }
        } catch let error as DropClientError {
            throw error
        } catch {
            throw await interruption("the download was interrupted: \(error)", dropID: link.id)
        }
        guard received == Int64(range.count) else {
            throw await interruption("the download was interrupted", dropID: link.id)
        }
    }

    /// Why a download stopped in the middle of an answer. The server cuts the downloads of a drop
    /// revoked, expired or deleted meanwhile at once: that is said in its words (and the caller
    /// removes what was written, since no run can continue it); anything else can be continued.
    private func interruption(_ what: String, dropID: String) async -> DropClientError {
        do {
            _ = try await api.info(dropID: dropID)
        } catch DropClientError.gone(let detail) {
            return .gone(detail)  // Ferry's 410 with its reason (a 404 may be a proxy's: the rerun tells)
        } catch {
            // Unreachable now too: a network problem, to be continued.
        }
        return .io("\(what); run the command again to continue")
    }

    /// The files' places under `folder`: sanitised paths, a second file of the same path numbered.
    public static func targets(_ paths: [String], under folder: String) -> [String] {
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let safe = paths.map { DropPathSanitizer.sanitize($0) }
        // The folders every file needs come first: a file never takes one's name ("x" beside "x/y"
        // becomes "x (2)"; on disk one of the two could not be made).
        var used: Set<String> = []
        for path in safe {
            let segments = path.split(separator: "/", omittingEmptySubsequences: false)
            for count in segments.indices.dropFirst() {
                used.insert(segments[..<count].joined(separator: "/").lowercased())
            }
        }
        return safe.map { path in
            var candidate = path
            var number = 2
            // Compared without case: on macOS and Windows "A.txt" and "a.txt" are one file.
            while used.contains(candidate.lowercased()) {
                candidate = numbered(path, number)
                number += 1
            }
            used.insert(candidate.lowercased())
            return (base.isEmpty ? "." : base) + "/" + candidate
        }
    }

    /// `path` with " (n)" before its extension, as the browser names a second file of one name
    /// (`uniquePath` in `Public/js/transfer/names.js`): "photos/a (2).jpg".
    static func numbered(_ path: String, _ number: Int) -> String {
        // By scalar, as the paths were split: "/" followed by a combining mark is one Character.
        let scalars = Array(path.unicodeScalars)
        let nameStart = (scalars.lastIndex(of: "/") ?? -1) + 1
        guard let dot = scalars.lastIndex(of: "."), dot > nameStart else { return path + " (\(number))" }
        let stem = String(String.UnicodeScalarView(scalars[..<dot]))
        return stem + " (\(number))" + String(String.UnicodeScalarView(scalars[dot...]))
    }

    /// The temporary name of a file being received (hidden, tagged by the drop).
    /// Where the partial file of `target` is written, beside it.
    static func partialPath(for target: String, tag: String) -> String {
        let url = URL(fileURLWithPath: target)
        return url.deletingLastPathComponent().appendingPathComponent(partialName(url.lastPathComponent, tag: tag)).path
    }

    static func partialName(_ name: String, tag: String) -> String {
        var short = ""
        for character in name {
            if short.utf8.count + String(character).utf8.count > 180 { break }
            short.append(character)
        }
        return "." + short + "." + tag.suffix(8) + ".ferry-part"
    }
}
