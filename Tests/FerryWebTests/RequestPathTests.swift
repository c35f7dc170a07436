import Testing

@testable import FerryWeb

@Suite("RequestPath")
struct RequestPathTests {
    /// Hostile inputs, each with the exact error it must produce.
    @Test(
        "hostile paths are rejected with the exact error",
        arguments: [
            ("", RequestPathError.notAbsolute),
            ("a/b", .notAbsolute),
            ("*", .notAbsolute),
            ("http://evil.example/x", .notAbsolute),
            ("../etc/passwd", .notAbsolute),
            ("/..", .dotDotSegment),
            ("/../etc/passwd", .dotDotSegment),
            ("/a/../../etc/passwd", .dotDotSegment),
            ("/a/b/..", .dotDotSegment),
            ("/../", .dotDotSegment),
            ("/%2e%2e/etc/passwd", .dotDotSegment),
            ("/%2E%2e/", .dotDotSegment),
            ("/.%2E/x", .dotDotSegment),
            ("/%2e./x", .dotDotSegment),
            ("/a/%2e%2e/%2e%2e/etc/passwd", .dotDotSegment),
            ("/..%2f..%2fetc/passwd", .encodedSlash),
            ("/..%2F", .encodedSlash),
            ("/a%2fb", .encodedSlash),
            ("/%2F", .encodedSlash),
            ("/a%5c..%5cb", .encodedBackslash),
            ("/%5C", .encodedBackslash),
            ("/..%5c..%5cwindows/win.ini", .encodedBackslash),
            ("/..\\..\\windows", .backslash),
            ("/a\\b", .backslash),
            ("\\", .notAbsolute),
            ("/%00", .controlCharacter),
            ("/index.html%00.png", .controlCharacter),
            ("/a%0d%0aSet-Cookie:x=1", .controlCharacter),
            ("/a%7f", .controlCharacter),
            ("/a%1b[31m", .controlCharacter),
            ("/%c2%85", .controlCharacter),
            ("/a\u{0}b", .controlCharacter),
            ("/a\tb", .controlCharacter),
            ("/%c0%ae%c0%ae/etc/passwd", .invalidUTF8),
            ("/%c0%af", .invalidUTF8),
            ("/%e0%80%ae%e0%80%ae", .invalidUTF8),
            ("/%ed%a0%80", .invalidUTF8),
            ("/%ff", .invalidUTF8),
            ("/%c3", .invalidUTF8),
            ("/%zz", .invalidPercentEncoding),
            ("/%4", .invalidPercentEncoding),
            ("/abc%", .invalidPercentEncoding),
            ("/%%32e", .invalidPercentEncoding),
            ("/%g0", .invalidPercentEncoding),
            ("/.", .dotSegment),
            ("/a/./b", .dotSegment),
            ("/%2e", .dotSegment),
            ("/./", .dotSegment),
            ("/.git/config", .hiddenSegment),
            ("/.env", .hiddenSegment),
            ("/a/.htaccess", .hiddenSegment),
            ("/.well-known/security.txt", .hiddenSegment),
            ("/%2egit/HEAD", .hiddenSegment),
            ("/...", .hiddenSegment),
            ("/x/..;/y", .hiddenSegment),
            ("//etc/passwd", .emptySegment),
            ("/a//b", .emptySegment),
            ("/a/b//", .emptySegment),
            ("//", .emptySegment),
        ]
    )
    func hostile(path: String, expected: RequestPathError) {
        #expect(throws: expected) {
            try RequestPath.resolve(path)
        }
    }

    @Test(
        "safe paths decode to segments",
        arguments: [
            ("/", [String](), true),
            ("/index.html", ["index.html"], false),
            ("/a/b/", ["a", "b"], true),
            ("/assets/app.3f2a9c.js", ["assets", "app.3f2a9c.js"], false),
            ("/caf%C3%A9.txt", ["café.txt"], false),
            ("/café", ["café"], false),
            ("/a%20b", ["a b"], false),
            ("/a+b", ["a+b"], false),
            ("/%252e%252e", ["%2e%2e"], false),
            ("/file..txt", ["file..txt"], false),
            ("/a./b", ["a.", "b"], false),
            ("/%7Euser/", ["~user"], true),
            ("/%E6%97%A5%E6%9C%AC", ["日本"], false),
        ]
    )
    func safe(path: String, segments: [String], isDirectory: Bool) throws {
        let resolved = try RequestPath.resolve(path)
        #expect(resolved.segments == segments)
        #expect(resolved.isDirectory == isDirectory)
    }

    @Test("relativePath joins the decoded segments")
    func relativePath() throws {
        #expect(try RequestPath.resolve("/a/b%20c/d.txt").relativePath == "a/b c/d.txt")
        #expect(try RequestPath.resolve("/").relativePath == "")
    }

    @Test("the raw length limit is inclusive")
    func lengthBoundary() throws {
        let atLimit = "/" + String(repeating: "a", count: 99)
        #expect(try RequestPath.resolve(atLimit, maxLength: 100).segments == [String(repeating: "a", count: 99)])
        #expect(throws: RequestPathError.tooLong) {
            try RequestPath.resolve(atLimit + "a", maxLength: 100)
        }
        // The limit counts raw bytes: percent-encoding counts three bytes per decoded byte.
        #expect(throws: RequestPathError.tooLong) {
            try RequestPath.resolve("/" + String(repeating: "%41", count: 34), maxLength: 100)
        }
        #expect(throws: RequestPathError.tooLong) {
            try RequestPath.resolve("/" + String(repeating: "x", count: RequestPath.defaultMaxLength))
        }
    }

    @Test("the segment limit is inclusive and ignores the trailing slash")
    func segmentBoundary() throws {
        let four = "/a/b/c/d"
        #expect(try RequestPath.resolve(four, maxSegments: 4).segments.count == 4)
        #expect(try RequestPath.resolve(four + "/", maxSegments: 4).isDirectory)
        #expect(throws: RequestPathError.tooManySegments) {
            try RequestPath.resolve(four + "/e", maxSegments: 4)
        }
        let deep = String(repeating: "/a", count: RequestPath.defaultMaxSegments)
        #expect(try RequestPath.resolve(deep).segments.count == RequestPath.defaultMaxSegments)
        #expect(throws: RequestPathError.tooManySegments) {
            try RequestPath.resolve(deep + "/a")
        }
    }

    @Test("checks run left to right, so the first faulty segment decides")
    func errorOrder() {
        #expect(throws: RequestPathError.dotDotSegment) { try RequestPath.resolve("/../%zz") }
        #expect(throws: RequestPathError.invalidPercentEncoding) { try RequestPath.resolve("/%zz/..") }
        #expect(throws: RequestPathError.backslash) { try RequestPath.resolve("/../a\\b") }
        #expect(throws: RequestPathError.notAbsolute) { try RequestPath.resolve("..\\a") }
    }

    @Test("every refusal reason is words, distinct per case")
    func reasonsAreDistinct() {
        let all: [RequestPathError] = [
            .notAbsolute, .tooLong, .tooManySegments, .invalidPercentEncoding, .invalidUTF8, .controlCharacter,
            .encodedSlash, .encodedBackslash, .backslash, .dotSegment, .dotDotSegment, .hiddenSegment, .emptySegment,
        ]
        #expect(Set(all.map(\.reason)).count == all.count)
        for error in all {
            // A phrase, and never a case name such as "invalidPercentEncoding".
            #expect(error.reason.contains(" "))
            #expect(
                !error.reason.localizedCaseInsensitiveContains("\(error)") || !"\(error)".contains(where: \.isUppercase)
            )
        }
    }
}
