import FerryWeb
import Foundation

/// The rules for what people type: emails, names, passwords. Each check returns the cleaned value
/// or records a field error located by a JSON Pointer, so one answer lists every problem.
public struct InputRules: Sendable {
    public static let nameLength = 1...100
    public static let passwordLength = 10...1024
    public static let emailLength = 3...254

    private(set) var errors: [HTTPError.FieldError] = []

    public init() {}

    /// Trimmed, NFC-normalised, 1–100 characters, no control characters.
    public mutating func name(_ value: String?, at pointer: String, what: String = "The name") -> String {
        guard let value else {
            errors.append(.init(pointer: pointer, detail: "\(what) is required."))
            return ""
        }
        let cleaned = value.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        if cleaned.isEmpty {
            errors.append(.init(pointer: pointer, detail: "\(what) must not be empty."))
        } else if cleaned.count > Self.nameLength.upperBound {
            errors.append(
                .init(pointer: pointer, detail: "\(what) must be at most \(Self.nameLength.upperBound) characters."))
        } else if cleaned.unicodeScalars.contains(where: Self.isForbidden) {
            errors.append(.init(pointer: pointer, detail: "\(what) must not contain control characters."))
        }
        return cleaned
    }

    /// Trimmed and lower-cased; one `@` with text on both sides, 3–254 Unicode scalars, no spaces or
    /// control characters. Scalars, not characters: a combining mark after the `@` would fuse with it
    /// into one character and hide it, and the OpenAPI document's pattern and lengths count scalars,
    /// so the rule it states is the rule applied. The length is the typed one (lower-casing can add
    /// scalars, as `İ` → `i̇`).
    public mutating func email(_ value: String?, at pointer: String) -> String {
        guard let value else {
            errors.append(.init(pointer: pointer, detail: "The email is required."))
            return ""
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        let cleaned = trimmed.lowercased()
        let parts = cleaned.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        if !Self.emailLength.contains(trimmed.unicodeScalars.count) || parts.count != 2 || parts[0].isEmpty
            || parts[1].isEmpty
            || cleaned.unicodeScalars.contains(where: { Self.isForbidden($0) || $0.properties.isWhitespace })
        {
            errors.append(.init(pointer: pointer, detail: "Enter an email address such as ann@example.org."))
        }
        return cleaned
    }

    /// 10–1024 characters; kept exactly as typed.
    public mutating func password(_ value: String?, at pointer: String) -> String {
        guard let value else {
            errors.append(.init(pointer: pointer, detail: "The password is required."))
            return ""
        }
        let count = value.unicodeScalars.count
        if count < Self.passwordLength.lowerBound {
            errors.append(
                .init(
                    pointer: pointer,
                    detail: "The password must be at least \(Self.passwordLength.lowerBound) characters."))
        } else if count > Self.passwordLength.upperBound {
            errors.append(
                .init(
                    pointer: pointer,
                    detail: "The password must be at most \(Self.passwordLength.upperBound) characters."))
        } else if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            errors.append(.init(pointer: pointer, detail: "The password must not contain control characters."))
        }
        return value
    }

    /// An integer within `range`, or `fallback` when absent.
    public mutating func integer(_ value: Int?, at pointer: String, in range: ClosedRange<Int>, default fallback: Int?)
        -> Int?
    {
        guard let value else { return fallback }
        guard range.contains(value) else {
            errors.append(
                .init(pointer: pointer, detail: "Must be between \(range.lowerBound) and \(range.upperBound)."))
            return fallback
        }
        return value
    }

    public mutating func fail(_ pointer: String, _ detail: String) {
        errors.append(.init(pointer: pointer, detail: detail))
    }

    /// Throws 400 `invalid-request` listing every problem found, if any.
    public func check() throws {
        guard errors.isEmpty else {
            throw HTTPError(
                .badRequest,
                detail: errors.count == 1 ? errors[0].detail : "The request has \(errors.count) invalid members.",
                type: "invalid-request", errors: errors)
        }
    }

    /// Control characters (C0, C1), the replacement character (what invalid UTF-8 decodes to),
    /// and unpaired surrogates or non-characters that have no business in a name.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7f...0x9f).contains(value) || value == 0xfffd
            || scalar.properties.isNoncharacterCodePoint
            || (0x2028...0x2029).contains(value) || (0x202a...0x202e).contains(value)
            || (0x2066...0x2069).contains(value)
    }
}
