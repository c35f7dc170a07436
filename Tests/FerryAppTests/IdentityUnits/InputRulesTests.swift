import Testing

@testable import FerryApp

@Suite("Input rules")
struct InputRulesTests {
    @Test(arguments: [
        (String(repeating: "a", count: 100), true), (String(repeating: "a", count: 101), false),
        ("  Ann  ", true), ("", false), ("   ", false), ("a\u{0}b", false), ("a\u{85}b", false),
        ("e\u{301}", true), ("😀 Team", true), ("x\u{202E}y", false), ("\u{FFFD}", false),
        // Trimmed like white space though not White_Space; an astral non-character.
        ("\u{200B}", false), ("a\u{1FFFE}", false),
    ])
    func names(_ value: String, _ valid: Bool) {
        var rules = InputRules()
        let cleaned = rules.name(value, at: "/name")
        #expect((rules.errors.isEmpty) == valid, "\(value.unicodeScalars.map { $0.value })")
        if valid { #expect(cleaned == cleaned.trimmingCharacters(in: .whitespaces)) }
    }

    @Test func namesAreNormalisedToNFC() {
        var rules = InputRules()
        #expect(rules.name("Cafe\u{301}", at: "/name") == "Caf\u{E9}")
    }

    @Test(arguments: [
        (String(repeating: "p", count: 9), false), (String(repeating: "p", count: 10), true),
        (String(repeating: "p", count: 1024), true), (String(repeating: "p", count: 1025), false),
        ("tab\tinside!!", false), ("  spaces kept  ", true),
    ])
    func passwords(_ value: String, _ valid: Bool) {
        var rules = InputRules()
        #expect(rules.password(value, at: "/password") == value)
        #expect(rules.errors.isEmpty == valid)
    }

    @Test(arguments: [
        ("Ann@Example.ORG", true), ("a@b", true), ("no-at", false), ("@example.org", false), ("ann@", false),
        ("a b@example.org", false), ("a@b@c", false), (String(repeating: "a", count: 250) + "@b.cd", false),
        // Scalars, as the OpenAPI document counts them: a combining mark after the `@` does not hide
        // it, and the typed length counts (254 here, 255 once `İ` is lower-cased).
        ("a@\u{301}", true), ("\u{130}" + String(repeating: "a", count: 251) + "@b", true),
        ("\u{200B}@b", false),
    ])
    func emails(_ value: String, _ valid: Bool) {
        var rules = InputRules()
        let cleaned = rules.email(value, at: "/email")
        #expect(rules.errors.isEmpty == valid)
        #expect(cleaned == cleaned.lowercased())
    }

    @Test func everyProblemIsListedWithItsPointer() throws {
        var rules = InputRules()
        _ = rules.email(nil, at: "/email")
        _ = rules.name("", at: "/displayName")
        _ = rules.integer(0, at: "/maxUses", in: 1...10, default: 1)
        #expect(rules.errors.map(\.pointer) == ["/email", "/displayName", "/maxUses"])
        #expect(throws: (any Error).self) { try rules.check() }
    }
}
