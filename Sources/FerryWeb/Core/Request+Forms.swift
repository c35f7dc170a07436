import FerryHTTP
import HTTPTypes

extension Request {
    /// The decoded query string.
    public var queryFields: FormFields {
        FormFields(encoded: query ?? "")
    }

    /// Decodes an HTML form body (`application/x-www-form-urlencoded`): 415 for any other type,
    /// 413 past the route's limit, 400 when it is not UTF-8.
    public func decodeForm() async throws -> FormFields {
        guard let contentType = headers[.contentType],
            contentType.lowercased().hasPrefix("application/x-www-form-urlencoded")
        else {
            throw HTTPError(
                .unsupportedMediaType, detail: "Send the form as application/x-www-form-urlencoded.",
                headers: [.accept: "application/x-www-form-urlencoded"])
        }
        let buffer = try await body.collect(upTo: body.limit)
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw HTTPError(.badRequest, detail: "The form is not valid UTF-8.", type: "invalid-form")
        }
        return FormFields(encoded: text)
    }
}
