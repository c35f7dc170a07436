import Testing

@testable import FerryApp

@Suite("Byte counts in messages")
struct ByteCountTests {
    @Test("whole bytes below 1 KiB, then one decimal in the largest unit reached")
    func units() {
        #expect(ByteCount.text(0) == "0 B")
        #expect(ByteCount.text(1023) == "1023 B")
        #expect(ByteCount.text(1024) == "1.0 KiB")
        #expect(ByteCount.text(2000) == "2.0 KiB")
        #expect(ByteCount.text(1_048_575) == "1.0 MiB")  // rounded before the unit is chosen
        #expect(ByteCount.text(46_976_204) == "44.8 MiB")
        #expect(ByteCount.text(64 << 30) == "64.0 GiB")
        #expect(ByteCount.text(Int64.max) == "8192.0 PiB")
    }
}
