import FerryHTTP
import HTTPTypes
import NIOCore

/// RFC 9110's conditional requests (§13) and range requests (§14) over any
/// ``ServableRepresentation``: 304 and 412, If-Range, a single range as 206, several as
/// multipart/byteranges, 416 with the length. Static files and drops answer through it, so the
/// rules live in one place.
public enum RepresentationResponse {
    /// The response to `request` (a GET or HEAD) for `representation`.
    public static func respond(to request: Request, with representation: some ServableRepresentation) -> Response {
        respond(method: request.method, fields: RepresentationRequestFields(request.headers), with: representation)
    }

    static func respond(
        method: HTTPRequest.Method, fields: RepresentationRequestFields,
        with representation: some ServableRepresentation
    ) -> Response {
        if fields.isConditional {
            // The common revalidation — a browser sending back exactly the ETag it got — needs no
            // parsing; everything else follows RFC 9110 §13.2.2 in full.
            if fields.ifMatch == nil, fields.ifUnmodifiedSince == nil,
                fields.ifNoneMatch == representation.etag.headerValue
            {
                return Response(prepared: representation.notModifiedHead)
            }
            switch ConditionalRequest.evaluate(
                method: method.rawValue, ifMatch: fields.ifMatch, ifNoneMatch: fields.ifNoneMatch,
                ifModifiedSince: fields.ifModifiedSince, ifUnmodifiedSince: fields.ifUnmodifiedSince,
                etag: representation.etag, lastModified: representation.lastModified)
            {
            case .notModified:
                return Response(prepared: representation.notModifiedHead)
            case .preconditionFailed:
                return Response(status: .preconditionFailed, headers: [.eTag: representation.etag.headerValue])
            case .proceed:
                break
            }
        }

        // Range handling is defined for GET only (RFC 9110 §14.2); HEAD mirrors a full GET.
        switch ByteRangeRequest.evaluate(
            rangeHeader: method == .get ? fields.range : nil, ifRange: fields.ifRange, etag: representation.etag,
            lastModified: representation.lastModified, length: representation.length)
        {
        case .full:
            return Response(prepared: representation.okHead, body: representation.fullBody)
        case .unsatisfiable:
            return Response(
                status: .rangeNotSatisfiable,
                headers: [
                    .contentRange: ByteRangeRequest.unsatisfiedContentRange(length: representation.length),
                    .acceptRanges: "bytes",
                ])
        case .partial(let ranges) where ranges.count == 1:
            let range = ranges[0]
            var headers = representation.okHead.fields
            headers[.contentRange] = ByteRangeRequest.contentRange(range, length: representation.length)
            return Response(
                status: .partialContent, headers: headers,
                body: .segments([
                    representation.segment(offset: range.lowerBound, count: range.upperBound - range.lowerBound + 1)
                ]),
                preparedFields: true)
        case .partial(let ranges):
            let multipart = MultipartByteRanges(
                boundary: MultipartByteRanges.randomBoundary(), contentType: representation.contentType,
                length: representation.length, ranges: ranges)
            var headers = representation.okHead.fields
            headers[.contentType] = multipart.contentTypeHeader
            var segments: [HTTPResponseBody.Segment] = []
            for (index, range) in ranges.enumerated() {
                segments.append(.buffer(ByteBuffer(string: multipart.partHeader(index: index))))
                segments.append(
                    representation.segment(offset: range.lowerBound, count: range.upperBound - range.lowerBound + 1))
            }
            segments.append(.buffer(ByteBuffer(string: multipart.closingDelimiter)))
            return Response(status: .partialContent, headers: headers, body: .segments(segments), preparedFields: true)
        }
    }
}
