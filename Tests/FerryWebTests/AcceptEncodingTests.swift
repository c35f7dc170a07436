import Testing

@testable import FerryWeb

@Suite("AcceptEncoding")
struct AcceptEncodingTests {
    static let all: [ContentCoding] = [.br, .gzip, .identity]

    @Test(
        "q-value negotiation with br, gzip and identity available",
        arguments: [
            (String?.none, ContentCoding.identity),
            ("", .identity),
            ("gzip", .gzip),
            ("br", .br),
            ("gzip, br", .br),
            ("br, gzip", .br),
            ("gzip, deflate, br, zstd", .br),
            ("gzip;q=1.0, br;q=0.5", .gzip),
            ("br;q=0, gzip", .gzip),
            ("BR", .br),
            ("GZip", .gzip),
            ("x-gzip", .gzip),
            ("*", .br),
            ("*;q=0.5, gzip;q=0.6", .gzip),
            ("*, br;q=0", .gzip),
            ("*;q=0", .identity),
            ("identity;q=0", .identity),
            ("identity;q=0, gzip", .gzip),
            ("identity;q=0, *;q=0", .identity),
            ("identity", .identity),
            ("identity, gzip;q=0.5", .identity),
            ("gzip;q=0.5, identity", .identity),
            ("deflate", .identity),
            ("gzip;q=0", .identity),
            ("gzip;q=0.001", .gzip),
            ("gzip;q=0.2", .gzip),
            ("gzip;q=0.5, br;q=0.5", .br),
            ("br;q=2", .identity),
            ("br;q=0.5000, gzip;q=0.1", .gzip),
            ("br;q=abc", .identity),
            ("br;q=-1", .identity),
            ("br;q=.5", .identity),
            ("br;q=1.000", .br),
            ("br;q=1.001, gzip;q=0.1", .gzip),
            ("br;q=1., gzip;q=0.1", .br),
            ("br ; q=0.8 , gzip ; q=0.9", .gzip),
            ("br;Q=0", .identity),
            ("gzip;level=9", .gzip),
            ("gzip;q=0, gzip;q=0.5", .gzip),
            (",,gzip,,", .gzip),
            ("g zip", .identity),
            (";q=1", .identity),
            ("br;q=0.3, gzip;q=0.2, identity;q=0.1", .br),
            ("br;q=0.1, gzip;q=0.2, identity;q=0.3", .identity),
        ]
    )
    func negotiate(header: String?, expected: ContentCoding) {
        #expect(AcceptEncoding.choose(header, available: Self.all) == expected)
    }

    @Test(
        "only codings on disk are chosen; identity is always available",
        arguments: [
            ("br, gzip", [ContentCoding.gzip], ContentCoding.gzip),
            ("br", [], .identity),
            ("gzip", [.br], .identity),
            ("br;q=0.5, gzip;q=0.5", [.br, .gzip], .br),
            ("br;q=0.4, gzip;q=0.5", [.br, .gzip], .gzip),
            ("*", [.gzip], .gzip),
            ("*;q=0", [.gzip], .identity),
            ("gzip, br", [.identity], .identity),
        ]
    )
    func availability(header: String, available: [ContentCoding], expected: ContentCoding) {
        #expect(AcceptEncoding.choose(header, available: available) == expected)
    }

    @Test(
        "q-value grammar",
        arguments: [
            ("0", 0), ("1", 1000), ("0.5", 500), ("0.25", 250), ("0.125", 125), ("0.", 0), ("1.", 1000),
            ("1.0", 1000), ("1.00", 1000), ("1.000", 1000), ("0.001", 1), ("0.999", 999),
        ]
    )
    func qValue(text: String, thousandths: Int) {
        #expect(AcceptEncoding.parseQValue(Array(text.utf8)[...]) == thousandths)
    }

    @Test("invalid q-values", arguments: ["", "2", "1.1", "1.0001", "0.1234", ".5", "-0", "0,5", "0.5a", "01", "abc"])
    func invalidQValue(text: String) {
        #expect(AcceptEncoding.parseQValue(Array(text.utf8)[...]) == nil)
    }

    @Test("coding metadata")
    func codingMetadata() {
        #expect(ContentCoding.br.fileSuffix == ".br")
        #expect(ContentCoding.gzip.fileSuffix == ".gz")
        #expect(ContentCoding.identity.fileSuffix == nil)
        #expect(ContentCoding.br.contentEncoding == "br")
        #expect(ContentCoding.gzip.contentEncoding == "gzip")
        #expect(ContentCoding.identity.contentEncoding == nil)
        #expect(AcceptEncoding.preference == [.br, .gzip, .identity])
    }
}
