import HTTPTypes
import NIOCore
import Testing

@testable import FerryHTTP

@Suite("HTTP/1.1 request parser")
struct HTTP1RequestParserTests {
    @Test("a simple GET maps to swift-http-types with Host as authority")
    func simpleGet() throws {
        var harness = ParserHarness()
        let items = try harness.feed("GET /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n")
        #expect(items.count == 2)
        guard case .head(let head) = items.first else {
            Issue.record("no head")
            return
        }
        #expect(head.request.method == .get)
        #expect(head.request.path == "/a/b?x=1")
        #expect(head.request.authority == "example.com")
        #expect(head.request.headerFields[.accept] == "*/*")
        #expect(head.request.headerFields.count == 1)
        #expect(head.keepAlive)
        #expect(head.framing == .none)
        #expect(items.last == .end)
    }

    @Test("field names map to the predefined names whatever their case; near misses stay their own names")
    func knownFieldNames() throws {
        var harness = ParserHarness()
        let items = try harness.feed(
            "GET / HTTP/1.1\r\nhOST: h\r\nACCEPT-encoding: br\r\nSec-Fetch-Site: same-origin\r\n"
                + "Acceptx: 1\r\nAccepu: 2\r\nX-Custom: 3\r\nIF-NONE-MATCH: \"e\"\r\n\r\n")
        guard case .head(let head) = items.first else {
            Issue.record("no head")
            return
        }
        let fields = head.request.headerFields
        #expect(head.request.authority == "h")
        #expect(fields[.acceptEncoding] == "br")
        #expect(fields[HTTPField.Name("sec-fetch-site")!] == "same-origin")
        #expect(fields[HTTPField.Name("acceptx")!] == "1")
        #expect(fields[HTTPField.Name("accepu")!] == "2")
        #expect(fields[.accept] == nil)
        #expect(fields[HTTPField.Name("x-custom")!] == "3")
        #expect(fields[.ifNoneMatch] == "\"e\"")
        #expect(fields.count == 6)
    }

    @Test("the same request parses identically whatever way the bytes are split", arguments: [1, 2, 3, 7, 64])
    func splitInput(pieceSize: Int) throws {
        let input =
            "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
            + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"
        var whole = ParserHarness()
        var pieces = ParserHarness()
        let expected = try whole.feed(input)
        #expect(try pieces.feed(input, pieceSize: pieceSize) == expected)
        #expect(expected.count == 5)
        #expect(expected[1] == .body("hello world"))
    }

    @Test("Content-Length bodies are sliced exactly and the next request follows")
    func contentLengthAndPipelining() throws {
        var harness = ParserHarness()
        let items = try harness.feed(
            "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcdeGET /y HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(items.count == 5)
        #expect(items[1] == .body("abcde"))
        guard case .head(let second) = items[3] else {
            Issue.record("no second head")
            return
        }
        #expect(second.request.path == "/y")
    }

    @Test("connection persistence follows the version and Connection tokens")
    func keepAlive() throws {
        let cases: [(String, Bool)] = [
            ("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, Close\r\n\r\n", false),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        ]
        for (input, expected) in cases {
            var harness = ParserHarness()
            guard case .head(let head) = try harness.feed(input).first else {
                Issue.record("no head for \(input)")
                continue
            }
            #expect(head.keepAlive == expected, "\(input)")
        }
    }

    @Test("Expect: 100-continue is recognised; other expectations get 417")
    func expectations() throws {
        var harness = ParserHarness()
        guard
            case .head(let head) = try harness.feed(
                "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"
            ).first
        else {
            Issue.record("no head")
            return
        }
        #expect(head.expectsContinue)
        #expect(ParserHarness.rejection("POST / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\n\r\n") == .expectationFailed)
    }

    @Test("leading empty lines before a request line are ignored")
    func leadingEmptyLines() throws {
        var harness = ParserHarness()
        let items = try harness.feed("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(items.count == 2)
    }

    @Test("absolute-form targets set scheme and authority; asterisk-form is OPTIONS only")
    func targetForms() throws {
        var harness = ParserHarness()
        guard case .head(let head) = try harness.feed("GET http://Other:8080/p?q HTTP/1.1\r\nHost: h\r\n\r\n").first
        else {
            Issue.record("no head")
            return
        }
        #expect(head.request.scheme == "http")
        #expect(head.request.authority == "Other:8080")
        #expect(head.request.path == "/p?q")
        #expect(ParserHarness.rejection("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n") == nil)
        #expect(ParserHarness.rejection("GET * HTTP/1.1\r\nHost: h\r\n\r\n") == .badRequest)
    }

    @Test("after an error the parser stays failed")
    func staysFailed() {
        var harness = ParserHarness()
        #expect(throws: HTTP1ParseError.self) { try harness.feed("GET / HTTP/1.1\nHost: h\r\n\r\n") }
        #expect(throws: HTTP1ParseError.self) { try harness.feed("GET / HTTP/1.1\r\nHost: h\r\n\r\n") }
    }
}
