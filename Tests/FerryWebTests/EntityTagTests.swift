import Testing

@testable import FerryWeb

@Suite("EntityTag")
struct EntityTagTests {
    @Test("header value quotes the opaque-tag and prefixes W/ for weak tags")
    func headerValue() {
        #expect(EntityTag(opaque: "abc").headerValue == "\"abc\"")
        #expect(EntityTag(opaque: "abc", isWeak: true).headerValue == "W/\"abc\"")
        #expect(EntityTag(opaque: "").headerValue == "\"\"")
    }

    /// The comparison table of RFC 9110 §8.8.3.2.
    @Test(
        "strong and weak comparison (RFC 9110 §8.8.3.2)",
        arguments: [
            (EntityTag(opaque: "1", isWeak: true), EntityTag(opaque: "1", isWeak: true), false, true),
            (EntityTag(opaque: "1", isWeak: true), EntityTag(opaque: "2", isWeak: true), false, false),
            (EntityTag(opaque: "1", isWeak: true), EntityTag(opaque: "1"), false, true),
            (EntityTag(opaque: "1"), EntityTag(opaque: "1"), true, true),
            (EntityTag(opaque: "1"), EntityTag(opaque: "2"), false, false),
            (EntityTag(opaque: "1"), EntityTag(opaque: "1", isWeak: true), false, true),
        ]
    )
    func comparison(a: EntityTag, b: EntityTag, strong: Bool, weak: Bool) {
        #expect(a.stronglyMatches(b) == strong)
        #expect(b.stronglyMatches(a) == strong)
        #expect(a.weaklyMatches(b) == weak)
        #expect(b.weaklyMatches(a) == weak)
    }

    @Test(
        "parsing a single entity-tag",
        arguments: [
            ("\"xyzzy\"", EntityTag(opaque: "xyzzy")),
            ("W/\"xyzzy\"", EntityTag(opaque: "xyzzy", isWeak: true)),
            ("  \"a,b\"\t", EntityTag(opaque: "a,b")),
            ("\"\"", EntityTag(opaque: "")),
            ("\"caf\u{e9}\"", EntityTag(opaque: "caf\u{e9}")),
        ]
    )
    func parseSingle(value: String, expected: EntityTag) {
        #expect(EntityTag.parse(value) == expected)
    }

    @Test(
        "malformed single entity-tags",
        arguments: ["xyzzy", "\"xyzzy", "w/\"x\"", "W/x", "\"a\", \"b\"", "*", "\"a b\"", "\"a\"x", "", "W/ \"x\""]
    )
    func parseSingleMalformed(value: String) {
        #expect(EntityTag.parse(value) == nil)
    }

    @Test(
        "parsing If-Match / If-None-Match field values",
        arguments: [
            ("*", EntityTagCondition.any),
            (" * ", .any),
            ("\"a\"", .tags([EntityTag(opaque: "a")])),
            ("\"a\", \"b\"", .tags([EntityTag(opaque: "a"), EntityTag(opaque: "b")])),
            ("W/\"a\",W/\"b\"", .tags([EntityTag(opaque: "a", isWeak: true), EntityTag(opaque: "b", isWeak: true)])),
            ("\"a,b\"", .tags([EntityTag(opaque: "a,b")])),
            ("\"a\", , \"b\",", .tags([EntityTag(opaque: "a"), EntityTag(opaque: "b")])),
            ("\t\"a\"\t,\tW/\"b\" ", .tags([EntityTag(opaque: "a"), EntityTag(opaque: "b", isWeak: true)])),
            ("", .tags([])),
            (" , ", .tags([])),
        ]
    )
    func parseCondition(value: String, expected: EntityTagCondition) {
        #expect(EntityTagCondition.parse(value) == expected)
    }

    @Test(
        "malformed members invalidate the whole field",
        arguments: [
            "a", "\"a", "w/\"a\"", "*, \"a\"", "\"a\", *", "\"a\" \"b\"", "\"a\";x", "\"a b\"", "**", "\"a\", b",
            "\"a\"\"b\"",
        ]
    )
    func parseConditionMalformed(value: String) {
        #expect(EntityTagCondition.parse(value) == nil)
    }

    @Test("conditions match with the requested comparison")
    func conditionMatching() {
        let strong = EntityTag(opaque: "v1")
        let weak = EntityTag(opaque: "v1", isWeak: true)
        #expect(EntityTagCondition.any.matchesStrongly(strong))
        #expect(EntityTagCondition.any.matchesStrongly(weak))
        #expect(EntityTagCondition.tags([strong]).matchesStrongly(strong))
        #expect(!EntityTagCondition.tags([weak]).matchesStrongly(strong))
        #expect(!EntityTagCondition.tags([strong]).matchesStrongly(weak))
        #expect(EntityTagCondition.tags([weak]).matchesWeakly(strong))
        #expect(EntityTagCondition.tags([EntityTag(opaque: "x"), weak]).matchesWeakly(strong))
        #expect(!EntityTagCondition.tags([]).matchesWeakly(strong))
        #expect(!EntityTagCondition.tags([EntityTag(opaque: "v2")]).matchesWeakly(strong))
    }
}
