import Testing

@testable import FerryWeb

@Suite("Request ids")
struct RequestIDTests {
    @Test(
        "the counter is written in base 36 after the process prefix", arguments: [0, 1, 35, 36, 1295, 1296, UInt64.max])
    func format(value: UInt64) {
        let id = RequestID.format(value)
        let parts = id.split(separator: "-")
        #expect(parts.count == 2)
        #expect(parts[0].count == 8 && parts[0].allSatisfy(\.isHexDigit))
        #expect(parts[1] == String(value, radix: 36))
    }

    @Test("ids are unique and share the prefix")
    func unique() {
        let ids = (0..<1000).map { _ in RequestID.next() }
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids.map { $0.prefix(9) }).count == 1)
    }
}
