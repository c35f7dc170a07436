import FerryDropFormat
import Testing

@testable import FerryDropClient

@Suite("Ciphertext layout: lengths and record-boundary resume points")
struct CiphertextLayoutTests {
    static let per = 65_536
    static let sizes: [Int] = [0, 1, 100, per - 1, per, per + 1, 2 * per, 3 * per + 5]

    @Test("the computed length is the encoder's, and inverts", arguments: sizes)
    func lengths(size: Int) throws {
        let plaintext = [UInt8](repeating: 7, count: size)
        let encoded = try ContentRecordSealer.encode(
            plaintext, ikm: [UInt8](repeating: 1, count: 16), salt: [UInt8](repeating: 2, count: 16))
        #expect(CiphertextLayout.ciphertextLength(plaintextSize: Int64(size)) == Int64(encoded.count))
        #expect(CiphertextLayout.plaintextSize(ciphertextLength: Int64(encoded.count)) == Int64(size))
    }

    @Test("known lengths: an empty file is 38 bytes, one full record 65,574")
    func knownLengths() {
        #expect(CiphertextLayout.ciphertextLength(plaintextSize: 0) == 38)
        #expect(CiphertextLayout.ciphertextLength(plaintextSize: 65_536) == 21 + 65_553)
        #expect(CiphertextLayout.ciphertextLength(plaintextSize: 65_537) == 21 + 65_553 + 18)
        #expect(CiphertextLayout.recordCount(plaintextSize: 0) == 1)
        #expect(CiphertextLayout.recordCount(plaintextSize: 200 * 1024 * 1024) == 3200)
        #expect(CiphertextLayout.plaintextSize(ciphertextLength: 37) == nil)
        #expect(CiphertextLayout.plaintextSize(ciphertextLength: 21 + 65_553 + 17) == nil)
    }

    @Test("an upload resumes at the record its offset falls in")
    func uploadResume() {
        #expect(
            CiphertextLayout.uploadResumePoint(ciphertextOffset: 0)
                == ResumePoint(record: 0, plaintextOffset: 0, ciphertextOffset: 0, skip: 0))
        #expect(
            CiphertextLayout.uploadResumePoint(ciphertextOffset: 10)
                == ResumePoint(record: 0, plaintextOffset: 0, ciphertextOffset: 0, skip: 10))
        #expect(
            CiphertextLayout.uploadResumePoint(ciphertextOffset: 21)
                == ResumePoint(record: 0, plaintextOffset: 0, ciphertextOffset: 21, skip: 0))
        #expect(
            CiphertextLayout.uploadResumePoint(ciphertextOffset: 21 + 65_553)
                == ResumePoint(record: 1, plaintextOffset: 65_536, ciphertextOffset: 21 + 65_553, skip: 0))
        #expect(
            CiphertextLayout.uploadResumePoint(ciphertextOffset: 21 + 2 * 65_553 + 100)
                == ResumePoint(record: 2, plaintextOffset: 2 * 65_536, ciphertextOffset: 21 + 2 * 65_553, skip: 100))
    }

    @Test("a download resumes after the last whole record on disk")
    func downloadResume() {
        #expect(
            CiphertextLayout.downloadResumePoint(plaintextWritten: 0)
                == ResumePoint(record: 0, plaintextOffset: 0, ciphertextOffset: 21, skip: 0))
        #expect(CiphertextLayout.downloadResumePoint(plaintextWritten: 65_535).record == 0)
        #expect(
            CiphertextLayout.downloadResumePoint(plaintextWritten: 65_536)
                == ResumePoint(record: 1, plaintextOffset: 65_536, ciphertextOffset: 21 + 65_553, skip: 0))
        #expect(
            CiphertextLayout.downloadResumePoint(plaintextWritten: 5 * 65_536 + 77)
                == ResumePoint(record: 5, plaintextOffset: 5 * 65_536, ciphertextOffset: 21 + 5 * 65_553, skip: 0))
    }
}
