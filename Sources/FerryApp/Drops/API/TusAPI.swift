import FerryHTTP
import FerryStore
import FerryWeb
import Foundation
import HTTPTypes

/// The tus 1.0 endpoint (docs/DROPS.md, "Uploading: tus 1.0"): core, creation,
/// creation-with-upload, expiration, checksum (sha256), termination and concatenation.
struct TusAPI: Sendable {
    let service: DropService

    static let version = "1.0.0"
    static let extensions = "creation,creation-with-upload,expiration,checksum,termination,concatenation"
    static let chunkMediaType = "application/offset+octet-stream"

    func register(on routes: GatedRoutes) {
        let service = self.service
        let uploadsPath = routes.group.prefix + "/uploads"
        // No engine limit: a chunk is held to what its upload has left (and the upload to
        // `maxDropSize`) by the service, which answers with the precise problem.
        let maxBody = Int.max
        let maxSize = service.configuration.maxDropSize
        let tus: HTTPFields = [.tusResumable: Self.version]

        routes.addPublic(.options, "/uploads") { _ in
            Response(
                status: .noContent,
                headers: [
                    .tusResumable: Self.version, .tusVersion: Self.version, .tusExtension: Self.extensions,
                    .tusMaxSize: String(maxSize), .tusChecksumAlgorithm: "sha256",
                ])
        }

        routes.add(.post, "/uploads", .signedIn, maxBodySize: maxBody, everyAnswer: tus) { call in
            try await Self.tus(call) {
                let owner = try call.caller.user.id
                let headers = call.request.headers
                let now = call.context.now
                var upload: Upload
                switch try TusFields.concatenation(headers[.uploadConcat], uploadsPath: uploadsPath) {
                case .final(let parts):
                    upload = try await service.concatenate(parts: parts, for: owner, now: now)
                case let kind:
                    guard headers[.uploadDeferLength] == nil else {
                        throw HTTPError(
                            .badRequest, detail: "Send Upload-Length: this server does not defer lengths.",
                            type: "upload-length-required")
                    }
                    let length = try TusFields.length(headers[.uploadLength])
                    let checksum = try TusFields.checksum(headers[.uploadChecksum])
                    upload = try await service.createUpload(
                        length: length, concatenation: kind == .partial ? .partial : .none, for: owner, now: now)
                    if let type = headers[.contentType], MediaType.essence(type) == Self.chunkMediaType {
                        do {
                            upload = try await service.append(
                                to: upload.id, of: owner, at: 0, declaredLength: TusFields.contentLength(headers),
                                body: call.request.body, checksum: checksum, now: now)
                        } catch {
                            // The upload exists even though its first chunk failed (a checksum, a full
                            // disk): the refusal names it, so the client can go on with PATCH.
                            let kept = try? await service.upload(upload.id, of: owner, now: now)
                            throw Self.refusal(
                                error,
                                naming: [
                                    .location: uploadsPath + "/" + upload.id,
                                    .uploadOffset: String(kept?.offset ?? 0),
                                ])
                        }
                    }
                }
                var fields: HTTPFields = [
                    .location: uploadsPath + "/" + upload.id,
                    .uploadExpires: HTTPDate.format(Int64(upload.expiresAt.timeIntervalSince1970)),
                ]
                if upload.offset > 0 || headers[.contentType] != nil { fields[.uploadOffset] = String(upload.offset) }
                return Response(status: .created, headers: fields)
            }
        }

        routes.add(.head, "/uploads/{uploadID}", .signedIn, everyAnswer: tus) { call in
            try await Self.tus(call) {
                let upload = try await service.upload(
                    call.request.parameters["uploadID"] ?? "", of: try call.caller.user.id, now: call.context.now)
                var fields: HTTPFields = [
                    .uploadOffset: String(upload.offset), .uploadLength: String(upload.length),
                    .uploadExpires: HTTPDate.format(Int64(upload.expiresAt.timeIntervalSince1970)),
                    .cacheControl: "no-store",
                ]
                switch upload.concatenation {
                case .none: break
                case .partial: fields[.uploadConcat] = "partial"
                case .final:
                    fields[.uploadConcat] =
                        "final;" + upload.parts.map { uploadsPath + "/" + $0 }.joined(separator: " ")
                }
                return Response(status: .ok, headers: fields)
            }
        }

        routes.add(.patch, "/uploads/{uploadID}", .signedIn, maxBodySize: maxBody, everyAnswer: tus) { call in
            try await Self.tus(call) {
                let headers = call.request.headers
                guard let type = headers[.contentType], MediaType.essence(type) == Self.chunkMediaType else {
                    throw HTTPError(
                        .unsupportedMediaType, detail: "Send chunks as \(Self.chunkMediaType).",
                        headers: [.accept: Self.chunkMediaType])
                }
                // The upload first: a chunk for an upload that is not there is 404 whatever its fields.
                let id = call.request.parameters["uploadID"] ?? ""
                _ = try await service.upload(id, of: try call.caller.user.id, now: call.context.now)
                let upload = try await service.append(
                    to: id, of: try call.caller.user.id, at: try TusFields.offset(headers[.uploadOffset]),
                    declaredLength: TusFields.contentLength(headers),
                    body: call.request.body, checksum: try TusFields.checksum(headers[.uploadChecksum]),
                    now: call.context.now)
                return Response(
                    status: .noContent,
                    headers: [
                        .uploadOffset: String(upload.offset),
                        .uploadExpires: HTTPDate.format(Int64(upload.expiresAt.timeIntervalSince1970)),
                    ])
            }
        }

        routes.add(.delete, "/uploads/{uploadID}", .signedIn, everyAnswer: tus) { call in
            try await Self.tus(call) {
                try await service.terminate(
                    call.request.parameters["uploadID"] ?? "", of: try call.caller.user.id, now: call.context.now)
                return Response(status: .noContent)
            }
        }
    }

    /// `error` as the answer it gets, with `fields` added.
    static func refusal(_ error: any Error, naming fields: HTTPFields) -> any Error {
        var answer: HTTPError
        switch error {
        case let error as DropError: answer = error.httpError
        case let error as StoreError: answer = error.httpError
        case let error as HTTPError: answer = error
        default: return error
        }
        for field in fields { answer.headers[field.name] = field.value }
        return answer
    }

    /// Runs a tus request: checks `Tus-Resumable` and maps refusals to answers (the route puts
    /// `Tus-Resumable` on every answer, errors included).
    static func tus(_ call: APICall, _ body: () async throws -> Response) async throws -> Response {
        guard call.request.headers[.tusResumable] == version else {
            throw HTTPError(
                .preconditionFailed, detail: "This server speaks tus \(version); send Tus-Resumable: \(version).",
                type: "tus-version", headers: [.tusVersion: version])
        }
        return try await dropCall(body)
    }
}
