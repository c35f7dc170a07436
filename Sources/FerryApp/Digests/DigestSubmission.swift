import FerryWeb

/// `POST /api/v1/digests`: the digests a browser computed locally, to be acknowledged.
public struct DigestSubmission: Codable, Sendable, Equatable {
    /// Limits of a submission; each violation is reported with a JSON Pointer.
    public enum Limits {
        public static let maxFiles = 100
        public static let maxNameLength = 255
        /// JavaScript's largest exact integer: sizes come from `File.size` in the browser.
        public static let maxSize: Int64 = 9_007_199_254_740_991
    }

    public var files: [FileDigest]

    public init(files: [FileDigest]) {
        self.files = files
    }

    /// Every problem with the submission, each located by a JSON Pointer.
    public func validationErrors() -> [HTTPError.FieldError] {
        var errors: [HTTPError.FieldError] = []
        if files.isEmpty {
            errors.append(.init(pointer: "/files", detail: "at least one file is required"))
        }
        if files.count > Limits.maxFiles {
            errors.append(.init(pointer: "/files", detail: "at most \(Limits.maxFiles) files are allowed"))
        }
        for (index, file) in files.prefix(Limits.maxFiles).enumerated() {
            let base = "/files/\(index)"
            let length = file.name.count
            if length == 0 || length > Limits.maxNameLength {
                errors.append(.init(pointer: base + "/name", detail: "must be 1 to \(Limits.maxNameLength) characters"))
            } else if file.name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                errors.append(.init(pointer: base + "/name", detail: "must not contain control characters"))
            }
            if file.size < 0 || file.size > Limits.maxSize {
                errors.append(.init(pointer: base + "/size", detail: "must be an integer from 0 to \(Limits.maxSize)"))
            }
            if !Self.isSHA256Hex(file.sha256) {
                errors.append(.init(pointer: base + "/sha256", detail: "must be 64 lowercase hexadecimal digits"))
            }
        }
        return errors
    }

    static func isSHA256Hex(_ value: String) -> Bool {
        value.utf8.count == 64
            && value.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
