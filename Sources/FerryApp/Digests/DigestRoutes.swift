import FerryWeb
import Foundation

/// The first fat-client endpoint: browsers hash files locally and the server only checks and
/// acknowledges the digests. It never sees file contents.
public enum DigestRoutes {
    /// Largest accepted submission: 100 files with long names fit well within it.
    public static let maxBodySize = 64 * 1024

    public static func register(on routes: RouteGroup) {
        routes.post("/digests", maxBodySize: maxBodySize) { request in
            let submission = try await request.decodeJSON(DigestSubmission.self)
            let errors = submission.validationErrors()
            guard errors.isEmpty else {
                throw HTTPError(
                    .badRequest, detail: "The submission has \(errors.count) invalid member(s).",
                    type: "invalid-digests", errors: errors)
            }
            return try .json(receipt(for: submission), status: .created)
        }
    }

    static func receipt(for submission: DigestSubmission, now: Date = Date()) -> DigestReceipt {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        return DigestReceipt(
            receipt: id,
            receivedAt: ISO8601DateFormatter().string(from: now),
            count: submission.files.count,
            totalBytes: submission.files.reduce(0) { $0 + $1.size },
            files: submission.files
        )
    }
}
