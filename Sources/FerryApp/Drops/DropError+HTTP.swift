import FerryBlobStore
import FerryStore
import FerryWeb
import HTTPTypes

extension DropError {
    /// The precise answer (problem+json) for a refusal.
    var httpError: HTTPError {
        switch self {
        case .uploadNotFound: HTTPError(.notFound, detail: "There is no such upload.", type: "not-found")
        case .uploadExpired:
            HTTPError(.gone, detail: "This upload expired; start a new one.", type: "upload-expired")
        case .offsetMismatch(let expected):
            HTTPError(
                .conflict, detail: "Upload-Offset must be \(expected), the bytes the server holds.",
                type: "upload-offset-mismatch", headers: [.uploadOffset: String(expected)])
        case .uploadBusy:
            HTTPError(.conflict, detail: "Another request is writing to this upload.", type: "upload-busy")
        case .beyondLength:
            HTTPError(
                .contentTooLarge, detail: "The chunk goes past the upload's Upload-Length.", type: "upload-too-long")
        case .checksumMismatch:
            HTTPError(
                Self.checksumMismatchStatus, detail: "The chunk does not match its Upload-Checksum; nothing was kept.",
                type: "checksum-mismatch")
        case .tooLarge(let limit):
            HTTPError(
                .contentTooLarge, detail: "A drop may hold at most \(limit) bytes.", type: "drop-too-large")
        case .metadataTooLarge(let limit):
            HTTPError(
                .contentTooLarge, detail: "The sealed metadata may be at most \(limit) bytes.",
                type: "metadata-too-large")
        case .tooManyFiles(let limit):
            HTTPError(.badRequest, detail: "A drop may hold at most \(limit) files.", type: "too-many-files")
        case .concatenationInvalid(let reason):
            HTTPError(.conflict, detail: reason, type: "upload-concat-invalid")
        case .storageFull:
            HTTPError(
                .insufficientStorage,
                detail: "The server's disk is full. What was acknowledged is kept; resume later.",
                type: "storage-full")
        case .proofRefused:
            HTTPError(
                .forbidden, detail: "The proof does not open this drop (a wrong link or password).",
                type: "drop-proof-refused")
        case .proofMissing:
            HTTPError(
                .forbidden, detail: "Send the drop's proof in Ferry-Drop-Proof.", type: "drop-proof-refused")
        case .ticketRefused:
            HTTPError(
                .forbidden, detail: "Open the drop first: the download ticket is missing, unknown or expired.",
                type: "drop-ticket-refused")
        case .tooManyProofAttempts(let retryAfter):
            HTTPError(
                .tooManyRequests, detail: "Too many wrong proofs for this drop; try again later.",
                type: "too-many-attempts", headers: [.retryAfter: String(retryAfter)])
        case .revokedDropUnchangeable:
            HTTPError(.conflict, detail: "This drop was revoked; it cannot be extended.", type: "drop-revoked")
        case .dropNotFound:
            HTTPError(
                .notFound,
                detail: "There is no such drop: its owner deleted it, it ended long ago, or the link is wrong.",
                type: "not-found")
        case .fileNotFound: HTTPError(.notFound, detail: "The drop has no such file.", type: "not-found")
        case .invalid(let errors):
            HTTPError(.badRequest, detail: "The request is not valid.", type: "invalid-request", errors: errors)
        }
    }

    /// tus's own status for a checksum mismatch.
    static let checksumMismatchStatus = HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch")
}

extension DropState {
    /// Why a drop that exists serves no more.
    var httpError: HTTPError {
        switch self {
        case .active: HTTPError(.internalServerError, detail: "The drop is active.")
        case .expired: HTTPError(.gone, detail: "This drop has expired.", type: "drop-expired")
        case .revoked: HTTPError(.gone, detail: "This drop was revoked by its owner.", type: "drop-revoked")
        case .exhausted:
            HTTPError(
                .gone, detail: "This drop has been downloaded as often as its owner allowed.", type: "drop-exhausted")
        }
    }
}

extension HTTPField.Name {
    static let tusResumable = HTTPField.Name("Tus-Resumable")!
    static let tusVersion = HTTPField.Name("Tus-Version")!
    static let tusExtension = HTTPField.Name("Tus-Extension")!
    static let tusMaxSize = HTTPField.Name("Tus-Max-Size")!
    static let tusChecksumAlgorithm = HTTPField.Name("Tus-Checksum-Algorithm")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let uploadLength = HTTPField.Name("Upload-Length")!
    static let uploadExpires = HTTPField.Name("Upload-Expires")!
    static let uploadConcat = HTTPField.Name("Upload-Concat")!
    static let uploadChecksum = HTTPField.Name("Upload-Checksum")!
    static let uploadMetadata = HTTPField.Name("Upload-Metadata")!
    static let uploadDeferLength = HTTPField.Name("Upload-Defer-Length")!
    static let ferryDropProof = HTTPField.Name("Ferry-Drop-Proof")!
    static let ferryDropTicket = HTTPField.Name("Ferry-Drop-Ticket")!
}

extension HTTPResponse.Status {
    /// 507 (RFC 4918 §11.5): the server cannot store what the request needs stored.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}

/// Runs a drops call, turning the domain's and the store's refusals into precise answers.
func dropCall<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error as DropError {
        throw error.httpError
    } catch let error as StoreError {
        throw error.httpError
    } catch BlobStoreError.storageFull {
        throw DropError.storageFull.httpError
    }
}
