import Crypto
import FerryBlobStore
import FerryStore
import FerryWeb
import Foundation
import NIOCore

extension DropService {
    /// Creates an upload of `length` bytes, if it fits the limits and quotas; nothing is written
    /// for a refused one.
    func createUpload(
        length: Int64, concatenation: Upload.Concatenation, for userID: UUID, now: Date
    ) async throws -> Upload {
        guard length <= configuration.maxDropSize else { throw DropError.tooLarge(limit: configuration.maxDropSize) }
        let upload = Upload(
            id: Self.newID(), userID: userID, length: length, concatenation: concatenation, createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.uploadLifetime))
        try await store.createUpload(upload, limits: limits)
        do {
            try await blobs.createUpload(upload.id)
            if length == 0 { try await blobs.completeUpload(upload.id) }
        } catch {
            try? await store.deleteUpload(id: upload.id)
            throw Self.mapped(error)
        }
        return upload
    }

    /// The caller's upload; someone else's is as unknown as one that never existed.
    func upload(_ id: String, of userID: UUID, now: Date) async throws -> Upload {
        guard let upload = try await store.upload(id: id), upload.userID == userID else {
            throw DropError.uploadNotFound
        }
        guard upload.expiresAt > now else { throw DropError.uploadExpired }
        return upload
    }

    /// Appends a chunk at `offset`: written, fsynced, then acknowledged in the store. A chunk cut
    /// short (lost connection, full disk) keeps what was written, unless it carries a checksum,
    /// which makes it all or nothing. Returns the upload with its new offset.
    func append<Body: AsyncSequence<ByteBuffer, any Error>>(
        to id: String, of userID: UUID, at offset: Int64, declaredLength: Int64?, body: Body,
        checksum: [UInt8]?, now: Date
    ) async throws -> Upload {
        try await exclusively(id) {
            var upload = try await upload(id, of: userID, now: now)
            guard offset == upload.offset else { throw DropError.offsetMismatch(expected: upload.offset) }
            if let declaredLength, declaredLength > upload.length - upload.offset { throw DropError.beyondLength }
            if upload.isComplete {
                // Nothing to add; a tus client may still send an empty PATCH.
                for try await chunk in body where chunk.readableBytes > 0 { throw DropError.beyondLength }
                return upload
            }
            let appender: any BlobAppender
            do {
                appender = try await blobs.appender(forUpload: id, at: upload.offset)
            } catch {
                throw Self.mapped(error)
            }
            let start = upload.offset
            var hasher = checksum.map { _ in SHA256() }
            var failure: (any Error)?
            do {
                for try await chunk in body {
                    guard Int64(chunk.readableBytes) <= upload.length - (await appender.length) else {
                        throw DropError.beyondLength
                    }
                    hasher?.update(data: chunk.readableBytesView)
                    try await appender.append(chunk)
                }
                if let checksum, let hasher, !Self.same(Array(hasher.finalize()), checksum) {
                    throw DropError.checksumMismatch
                }
            } catch {
                failure = Self.mapped(error)
            }
            // What stays: everything, unless the chunk must be whole (a checksum) or went past
            // the length; then nothing of it.
            let keepsPartial: Bool =
                switch failure {
                case nil: true
                case DropError.beyondLength?, DropError.checksumMismatch?: false
                default: checksum == nil
                }
            do {
                if !keepsPartial { try await appender.truncate(to: start) }
                try await appender.sync()
                upload.offset = await appender.length
                try await appender.close()
            } catch {
                try? await appender.close()
                throw Self.mapped(error)
            }
            if upload.offset != start {
                upload.expiresAt = now.addingTimeInterval(configuration.uploadLifetime)
                // Recorded before the rename: a crash in between leaves a complete record whose
                // blob is completed on its next use (completing is idempotent).
                try await store.acknowledge(upload: id, offset: upload.offset, expiresAt: upload.expiresAt)
                if upload.isComplete {
                    do { try await blobs.completeUpload(id) } catch { throw Self.mapped(error) }
                }
            }
            if let failure { throw failure }
            return upload
        }
    }

    /// Joins finished parts of the caller, in order, into a new finished upload; the parts go.
    func concatenate(parts: [String], for userID: UUID, now: Date) async throws -> Upload {
        guard !parts.isEmpty, Set(parts).count == parts.count else {
            throw HTTPError(
                .badRequest, detail: "Name each part to join once, at least one.", type: "invalid-request")
        }
        var length: Int64 = 0
        for id in parts {
            guard let part = try await store.upload(id: id), part.userID == userID else {
                throw DropError.uploadNotFound
            }
            guard part.concatenation == .partial, part.isComplete, part.expiresAt > now else {
                throw DropError.concatenationInvalid("Only complete uploads made with Upload-Concat: partial join.")
            }
            try await blobs.completeUpload(id)
            length += part.length
        }
        guard length <= configuration.maxDropSize else { throw DropError.tooLarge(limit: configuration.maxDropSize) }
        let final = Upload(
            id: Self.newID(), userID: userID, length: length, offset: length, concatenation: .final, parts: parts,
            createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.uploadLifetime))
        do {
            try await blobs.concatenate(parts, into: final.id)
        } catch {
            try? await blobs.delete(final.id)
            throw Self.mapped(error)
        }
        do {
            try await store.joinUploads(parts, into: final)
        } catch StoreError.uploadNotReady {
            try? await blobs.delete(final.id)
            throw DropError.concatenationInvalid("A part was changed or joined meanwhile.")
        }
        for part in parts { try? await blobs.delete(part) }
        return final
    }

    /// tus termination: the record and the bytes go at once.
    func terminate(_ id: String, of userID: UUID, now: Date) async throws {
        try await exclusively(id) {
            guard let upload = try await store.upload(id: id), upload.userID == userID else {
                throw DropError.uploadNotFound
            }
            try await blobs.delete(id)
            try await store.deleteUpload(id: id)
        }
    }

    /// Constant-time comparison of two digests.
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
