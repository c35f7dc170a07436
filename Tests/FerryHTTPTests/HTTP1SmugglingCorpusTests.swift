import HTTPTypes
import Testing

@testable import FerryHTTP

/// Requests that desynchronise lenient parsers (request smuggling) and other malformed input.
/// Every one must be refused with the exact status, never parsed.
@Suite("Smuggling and malformed-request corpus")
struct HTTP1SmugglingCorpusTests {
    static let corpus: [(name: String, input: String, status: Int)] = [
        (
            "CL and TE together",
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", 400
        ),
        (
            "TE and CL together",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n", 400
        ),
        (
            "duplicate CL, same value", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\n",
            400
        ),
        (
            "duplicate CL, different", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n",
            400
        ),
        ("CL list", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4, 4\r\n\r\n", 400),
        ("CL signed", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +4\r\n\r\n", 400),
        ("CL negative", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400),
        ("CL hex", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", 400),
        ("CL empty", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n", 400),
        ("CL too large", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
        ("CL with inner space", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n", 400),
        ("bare LF in request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400),
        ("bare LF ending headers", "GET / HTTP/1.1\r\nHost: h\n\n", 400),
        ("bare CR in header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400),
        ("bare CR in request line", "GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("NUL in header value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\u{0}b\r\n\r\n", 400),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400),
        ("obs-fold with tab", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", 400),
        ("space before colon", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length : 4\r\n\r\n", 400),
        ("tab before colon", "GET / HTTP/1.1\r\nHost: h\r\nContent-Length\t: 4\r\n\r\n", 400),
        ("empty field name", "GET / HTTP/1.1\r\nHost: h\r\n: x\r\n\r\n", 400),
        ("TE not ending chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("TE chunked twice", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
        ("TE unknown coding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("TE with Kelvin sign", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chun\u{212A}ed\r\n\r\n", 400),
        ("Expect with Kelvin sign", "GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continu\u{212A}\r\n\r\n", 417),
        ("TE identity", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n", 400),
        ("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("chunk size not hex", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("chunk size negative", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400),
        ("chunk size with 0x", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n", 400),
        (
            "chunk size overflow",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\n", 400
        ),
        ("chunk size empty", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400),
        ("chunk size bare LF", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n", 400),
        (
            "chunk data not CRLF-terminated",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX", 400
        ),
        ("chunk ext without name", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\n", 400),
        ("chunk ext bad char", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b c\r\n", 400),
        ("chunk ext open quote", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b\r\n", 400),
        ("chunk ext bare CR", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;a\rb\r\n", 400),
        (
            "trailer obs-fold",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: a\r\n b\r\n\r\n", 400
        ),
        ("missing Host", "GET / HTTP/1.1\r\n\r\n", 400),
        ("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("Host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        ("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400),
        ("lowercase version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400),
        ("version with spaces", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400),
        ("two spaces after method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("tab separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("missing target", "GET HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("non-ASCII in target", "GET /caf\u{e9} HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("fragment in target", "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("method with bad char", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("HTTP/2.0 on HTTP/1 line", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
        ("HTTP/1.2", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505),
        ("HTTP/0.9 style", "GET /\r\n\r\n", 400),
        ("CONNECT authority-form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405),
        ("relative target", "GET a/b HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ]

    @Test("each malformed request is refused with its exact status", arguments: corpus.indices)
    func refused(index: Int) {
        let entry = Self.corpus[index]
        #expect(ParserHarness.rejection(entry.input)?.code == entry.status, "\(entry.name)")
    }

    @Test("a refused request yields no head, even when the rest of its head is valid")
    func noHeadBeforeRejection() {
        var harness = ParserHarness()
        var items: [ParserHarness.Item] = []
        do {
            items = try harness.feed("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcd")
        } catch {
            #expect(error.status == .badRequest)
        }
        #expect(items.isEmpty)
    }
}
