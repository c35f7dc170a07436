import FerryHTTP
import FerryStore
import FerryWeb
import Foundation
import HTTPTypes
import NIOCore

/// The drops routes (docs/DROPS.md, "JSON API"): the owner's, and the downloader's (public,
/// gated by the proof and a ticket).
struct DropsAPI: Sendable {
    let service: DropService

    func register(on routes: GatedRoutes) {
        let service = self.service
        let configuration = service.configuration
        // base64url of the largest metadata, and room for 10,000 upload ids.
        let createLimit = configuration.maxMetadataSize / 3 * 4 + 8 + configuration.maxDropFiles * 32 + 4096

        routes.add(.post, "/drops", .signedIn, maxBodySize: createLimit) { call in
            try await dropCall {
                let body = try await call.request.decodeJSON(NewDropBody.self)
                let drop = try await service.createDrop(try Self.validate(body, configuration), context: call.context)
                return try .json(DropDocument(drop, now: call.context.now), status: .created)
            }
        }
        routes.add(.get, "/drops", .signedIn) { call in
            try await dropCall {
                let drops = try await service.drops(of: try call.caller.user.id)
                return try .json(["drops": drops.map { DropDocument($0, now: call.context.now) }])
            }
        }
        // A literal segment: the router prefers it to `{dropID}` (no drop id is 6 characters long).
        routes.add(.get, "/drops/limits", .signedIn) { _ in
            var response = try Response.json(DropLimitsDocument(configuration))
            response.headers[.cacheControl] = "no-store"
            return response
        }
        routes.add(.patch, "/drops/{dropID}", .signedIn) { call in
            try await dropCall {
                let body = try await call.request.decodeJSON(DropChangeBody.self)
                var errors: [HTTPError.FieldError] = []
                let expiresIn = Self.lifetime(body.expiresIn, configuration, at: "/expiresIn", errors: &errors)
                let maxDownloads = Self.maxDownloads(body.maxDownloads, at: "/maxDownloads", errors: &errors)
                guard errors.isEmpty else { throw DropError.invalid(errors) }
                let drop = try await service.update(
                    try Self.dropID(call), expiresIn: expiresIn, maxDownloads: maxDownloads, context: call.context)
                return try .json(DropDocument(drop, now: call.context.now))
            }
        }
        routes.add(.post, "/drops/{dropID}/revoke", .signedIn, maxBodySize: 0) { call in
            try await dropCall {
                let drop = try await service.revoke(try Self.dropID(call), context: call.context)
                return try .json(DropDocument(drop, now: call.context.now))
            }
        }
        routes.add(.delete, "/drops/{dropID}", .signedIn) { call in
            try await dropCall {
                try await service.delete(try Self.dropID(call), context: call.context)
                return Response(status: .noContent)
            }
        }

        routes.add(.get, "/drops/{dropID}", .public) { call in
            try await dropCall {
                var response = try Response.json(
                    DropInfoDocument(try await service.info(try Self.dropID(call), now: call.context.now)))
                response.headers[.cacheControl] = "no-store"
                return response
            }
        }
        routes.add(.post, "/drops/{dropID}/open", .public, maxBodySize: 0) { call in
            try await dropCall {
                let headers = call.request.headers
                let opened = try await service.open(
                    try Self.dropID(call), proof: headers[.ferryDropProof], ticket: headers[.ferryDropTicket],
                    clientAddress: call.context.clientAddress, now: call.context.now)
                var response = try Response.json(
                    OpenedDropDocument(
                        ticket: opened.ticket, ticketExpiresAt: opened.ticketExpiresAt,
                        metadata: SecretToken.base64URL(Array(opened.metadata.readableBytesView)),
                        files: opened.files.map { OpenedDropDocument.File(size: $0.size) }))
                response.headers[.cacheControl] = "no-store"
                return response
            }
        }
        routes.add(.post, "/drops/{dropID}/check", .public, maxBodySize: 0) { call in
            try await dropCall {
                try await service.check(
                    try Self.dropID(call), proof: call.request.headers[.ferryDropProof],
                    clientAddress: call.context.clientAddress, now: call.context.now)
                var response = Response(status: .noContent)
                response.headers[.cacheControl] = "no-store"
                return response
            }
        }
        routes.add(.get, "/drops/{dropID}/files/{index}", .public) { call in
            try await dropCall {
                guard let text = call.request.parameters["index"], text.utf8.count <= 6, let index = Int(text),
                    index >= 0
                else { throw DropError.fileNotFound }
                let headers = call.request.headers
                let (file, blobID, lease) = try await service.file(
                    try Self.dropID(call), index: index, proof: headers[.ferryDropProof],
                    ticket: headers[.ferryDropTicket], clientAddress: call.context.clientAddress,
                    now: call.context.now)
                let representation = FileRepresentation(
                    path: file.path, length: file.length, lastModified: file.modifiedAt,
                    etag: EntityTag(opaque: blobID), contentType: "application/octet-stream",
                    extraFields: [.cacheControl: "private, no-store"])
                var response = RepresentationResponse.respond(to: call.request, with: representation)
                response.lease = lease
                return response
            }
        }
    }

    /// A drop id from the path: base64url of 16 bytes; anything else names nothing.
    static func dropID(_ call: APICall) throws -> String {
        guard let id = call.request.parameters["dropID"], id.utf8.count == 22, SecretToken.isWellFormed(id) else {
            throw DropError.dropNotFound
        }
        return id
    }

    /// The rules of `POST /drops`, every broken one named.
    static func validate(_ body: NewDropBody, _ configuration: DropsConfiguration) throws -> NewDrop {
        var errors: [HTTPError.FieldError] = []
        func bytes(_ text: String?, count: Int?, at pointer: String, what: String) -> [UInt8]? {
            guard let text else {
                errors.append(.init(pointer: pointer, detail: "\(what) is required."))
                return nil
            }
            guard let data = Data(base64URL: text), count.map({ data.count == $0 }) ?? true else {
                let size = count.map { " of \($0) bytes" } ?? ""
                errors.append(.init(pointer: pointer, detail: "\(what) must be base64url\(size), without padding."))
                return nil
            }
            return Array(data)
        }
        let verifier = bytes(body.verifier, count: 32, at: "/verifier", what: "The verifier")
        let metadata = bytes(body.metadata, count: nil, at: "/metadata", what: "The metadata")
        var salt: [UInt8]?
        var iterations: Int?
        if let password = body.password {
            salt = bytes(password.salt, count: 16, at: "/password/salt", what: "The password salt")
            iterations = password.iterations
            if !(password.iterations.map(DropsConfiguration.passwordIterations.contains) ?? false) {
                let range = DropsConfiguration.passwordIterations
                errors.append(
                    .init(
                        pointer: "/password/iterations",
                        detail: "The iterations must be between \(range.lowerBound) and \(range.upperBound)."))
            }
        }
        let files = body.files ?? []
        if body.files == nil {
            errors.append(.init(pointer: "/files", detail: "The files are required ([] for a text)."))
        }
        for (index, id) in files.enumerated() where !(id.utf8.count == 22 && SecretToken.isWellFormed(id)) {
            errors.append(.init(pointer: "/files/\(index)", detail: "Each file must be an upload id."))
        }
        let expiresIn = lifetime(body.expiresIn, configuration, at: "/expiresIn", errors: &errors)
        let maxDownloads = maxDownloads(body.maxDownloads, at: "/maxDownloads", errors: &errors)
        guard errors.isEmpty, let verifier, let metadata else { throw DropError.invalid(errors) }
        return NewDrop(
            verifier: verifier, metadata: ByteBuffer(bytes: metadata), files: files, passwordSalt: salt,
            passwordIterations: iterations, expiresIn: expiresIn, maxDownloads: maxDownloads)
    }

    static func lifetime(
        _ seconds: Int?, _ configuration: DropsConfiguration, at pointer: String, errors: inout [HTTPError.FieldError]
    ) -> TimeInterval? {
        guard let seconds else { return nil }
        let range = Int(DropsConfiguration.minimumDropLifetime)...Int(configuration.maxDropLifetime)
        guard range.contains(seconds) else {
            errors.append(
                .init(
                    pointer: pointer,
                    detail: "The expiry must be \(DropsPage.label(range.lowerBound)) to"
                        + " \(DropsPage.label(range.upperBound)) (\(range.lowerBound) to \(range.upperBound) seconds).")
            )
            return nil
        }
        return TimeInterval(seconds)
    }

    static func maxDownloads(_ count: Int?, at pointer: String, errors: inout [HTTPError.FieldError]) -> Int? {
        guard let count else { return nil }
        let range = DropsConfiguration.maxDownloadsRange
        guard range.contains(count) else {
            errors.append(
                .init(
                    pointer: pointer, detail: "The download limit must be \(range.lowerBound) to \(range.upperBound)."))
            return nil
        }
        return count
    }
}
