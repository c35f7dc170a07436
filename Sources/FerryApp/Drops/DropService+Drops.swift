import Crypto
import FerryBlobStore
import FerryHTTP
import FerryStore
import FerryWeb
import Foundation
import NIOCore

extension DropService {
    /// The blob of a drop's sealed metadata.
    static func metadataBlob(of dropID: String) -> String { dropID + ".meta" }

    /// Creates a drop from the caller's finished uploads, which it consumes.
    func createDrop(_ new: NewDrop, context: ActionContext) async throws -> Drop {
        let owner = try callerID(context)
        guard new.metadata.readableBytes <= configuration.maxMetadataSize else {
            throw DropError.metadataTooLarge(limit: configuration.maxMetadataSize)
        }
        guard new.files.count <= configuration.maxDropFiles else {
            throw DropError.tooManyFiles(limit: configuration.maxDropFiles)
        }
        guard Set(new.files).count == new.files.count else {
            throw DropError.invalid([.init(pointer: "/files", detail: "An upload may be named once.")])
        }
        var size: Int64 = 0
        for id in new.files {
            guard let upload = try await store.upload(id: id), upload.userID == owner else {
                throw DropError.uploadNotFound
            }
            guard upload.isComplete, upload.concatenation != .partial, upload.expiresAt > context.now else {
                throw StoreError.uploadNotReady
            }
            size += upload.length
            try await blobs.completeUpload(id)  // after a crash between acknowledging and renaming
        }
        guard size <= configuration.maxDropSize else { throw DropError.tooLarge(limit: configuration.maxDropSize) }
        let id = Self.newID()
        let drop = Drop(
            id: id, userID: owner, verifier: SecretToken.base64URL(new.verifier),
            passwordSalt: new.passwordSalt.map(SecretToken.base64URL), passwordIterations: new.passwordIterations,
            size: size, fileCount: new.files.count, metadataSize: new.metadata.readableBytes, createdAt: context.now,
            expiresAt: context.now.addingTimeInterval(new.expiresIn ?? configuration.defaultDropLifetime),
            maxDownloads: new.maxDownloads)
        do {
            try await blobs.put(Self.metadataBlob(of: id), bytes: new.metadata)
        } catch {
            throw Self.mapped(error)
        }
        do {
            return try await store.createDrop(
                drop, uploads: new.files, limits: limits, audit: context.audit("drop.create", subject: id))
        } catch {
            try? await blobs.delete(Self.metadataBlob(of: id))
            throw error
        }
    }

    func drops(of userID: UUID) async throws -> [Drop] {
        try await store.drops(of: userID)
    }

    /// What opening needs, for anyone with the link: ended drops are `410` (also for a while after
    /// their files were swept), a used-up one still answers while it has its files (a ticket
    /// holder may resume).
    func info(_ dropID: String, now: Date) async throws -> Drop {
        guard let drop = try await store.drop(id: dropID) else { throw DropError.dropNotFound }
        if let refused = drop.servable(at: now) { throw StoreError.dropUnavailable(refused) }
        return drop
    }

    /// Counts a download (or honours a still-valid ticket without counting) and hands over the
    /// ticket, the sealed metadata and the files' lengths.
    func open(
        _ dropID: String, proof: String?, ticket: String?, clientAddress: String?, now: Date
    ) async throws -> OpenedDrop {
        var drop = try await provenDrop(dropID, proof: proof, clientAddress: clientAddress, now: now)
        if let refused = drop.servable(at: now) { throw StoreError.dropUnavailable(refused) }
        let opened: (ticket: String, expiresAt: Date)
        if let ticket, SecretToken.isWellFormed(ticket),
            let expiresAt = try await store.ticketExpiry(
                ticketHash: SecretToken.hash(ticket), dropID: dropID, now: now)
        {
            opened = (ticket, expiresAt)
        } else {
            let newTicket = SecretToken.generate()
            let expiresAt = now.addingTimeInterval(configuration.downloadTicketLifetime)
            drop = try await store.open(
                dropID: dropID, ticketHash: SecretToken.hash(newTicket), ticketExpiresAt: expiresAt, now: now)
            opened = (newTicket, min(expiresAt, drop.expiresAt))
        }
        let metadata = try await blobs.get(Self.metadataBlob(of: dropID))
        return OpenedDrop(
            ticket: opened.ticket, ticketExpiresAt: opened.expiresAt, drop: drop, metadata: metadata,
            files: try await store.files(of: dropID))
    }

    /// Whether `proof` opens the drop, without counting a download: a wrong password is found
    /// before the reader is asked to spend one. A used-up drop passes too, as opening does (a
    /// reader holding a ticket goes on; one without is told at `open`). Wrong proofs count
    /// against the same limit as opening.
    func check(_ dropID: String, proof: String?, clientAddress: String?, now: Date) async throws {
        let drop = try await provenDrop(dropID, proof: proof, clientAddress: clientAddress, now: now)
        if let refused = drop.servable(at: now) { throw StoreError.dropUnavailable(refused) }
    }

    /// A file's stored ciphertext, for a holder of the proof and a valid ticket of an active
    /// (or used-up) drop.
    func file(
        _ dropID: String, index: Int, proof: String?, ticket: String?, clientAddress: String?, now: Date
    ) async throws -> (file: BlobFile, blobID: String, lease: ResponseLease) {
        // Before the drop is read: a revocation committed after the read still ends this download.
        let (lease, stamp) = downloads.lease(dropID)
        let drop = try await provenDrop(dropID, proof: proof, clientAddress: clientAddress, now: now)
        if let refused = drop.servable(at: now) { throw StoreError.dropUnavailable(refused) }
        guard let ticket, SecretToken.isWellFormed(ticket),
            try await store.ticketExpiry(ticketHash: SecretToken.hash(ticket), dropID: dropID, now: now) != nil
        else { throw DropError.ticketRefused }
        let files = try await store.files(of: dropID)
        guard files.indices.contains(index), let file = try await blobs.file(files[index].blobID) else {
            throw DropError.fileNotFound
        }
        downloads.settle(lease, of: dropID, stamp: stamp, until: Self.deadline(drop.expiresAt, now: now))
        return (file, files[index].blobID, lease)
    }

    /// The instant of the process clock at which `date`, on the service's clock, comes.
    static func deadline(_ date: Date, now: Date) -> ContinuousClock.Instant {
        .now + .milliseconds(Int64((date.timeIntervalSince(now) * 1000).rounded(.up)))
    }

    /// The drop, if `proof` hashes to its verifier; wrong proofs are counted per drop and address.
    private func provenDrop(_ dropID: String, proof: String?, clientAddress: String?, now: Date) async throws -> Drop {
        guard let drop = try await store.drop(id: dropID) else { throw DropError.dropNotFound }
        let key = dropID + " " + (clientAddress ?? "")
        if let wait = proofAttempts.retryAfter(key, now: now) {
            throw DropError.tooManyProofAttempts(retryAfter: max(1, Int(wait.rounded(.up))))
        }
        guard let proof, !proof.isEmpty else { throw DropError.proofMissing }
        guard proof.utf8.count <= 64, let token = Data(base64URL: proof),
            let verifier = Data(base64URL: drop.verifier),
            Self.same(Array(SHA256.hash(data: token)), Array(verifier))
        else {
            proofAttempts.record(key, now: now)
            throw DropError.proofRefused
        }
        return drop
    }

    /// The owner changes the expiry (from now) or the download limit.
    func update(
        _ dropID: String, expiresIn: TimeInterval?, maxDownloads: Int?, context: ActionContext
    ) async throws -> Drop {
        do {
            let drop = try await store.updateDrop(
                id: dropID, userID: try callerID(context),
                expiresAt: expiresIn.map { context.now.addingTimeInterval($0) },
                maxDownloads: maxDownloads.map { .some($0) }, now: context.now)
            downloads.renew(dropID, until: Self.deadline(drop.expiresAt, now: context.now))
            return drop
        } catch StoreError.dropUnavailable(.revoked) {
            throw DropError.revokedDropUnchangeable
        }
    }

    /// Stops a drop at once; its bytes go with the next sweep.
    func revoke(_ dropID: String, context: ActionContext) async throws -> Drop {
        let drop = try await store.revokeDrop(
            id: dropID, userID: try callerID(context), now: context.now,
            audit: context.audit("drop.revoke", subject: dropID))
        downloads.end(dropID)
        return drop
    }

    /// Deletes a drop and its bytes at once.
    func delete(_ dropID: String, context: ActionContext) async throws {
        let blobIDs = try await store.deleteDrop(
            id: dropID, userID: try callerID(context), now: context.now,
            audit: context.audit("drop.delete", subject: dropID))
        downloads.end(dropID)
        try await deleteBlobs(blobIDs + [Self.metadataBlob(of: dropID)])
    }

    func deleteBlobs(_ ids: [String]) async throws {
        for id in ids { try await blobs.delete(id) }
    }

    private func callerID(_ context: ActionContext) throws -> UUID {
        guard let id = context.principal?.user.id else {
            throw HTTPError(.unauthorized, detail: "Sign in first.", type: "unauthenticated")
        }
        return id
    }
}
