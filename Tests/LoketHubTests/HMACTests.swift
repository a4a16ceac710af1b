import LoketHub
import Testing

@Suite("HMAC-SHA256")
struct HMACTests {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// One of RFC 4231's test cases.
    struct Vector: Sendable, CustomTestStringConvertible {
        var key: [UInt8]
        var data: [UInt8]
        var expected: String
        var testDescription: String { String(expected.prefix(8)) + "…" }
    }

    static let largeKey = [UInt8](repeating: 0xaa, count: 131)
    static let largeData =
        "This is a test using a larger than block-size key and a larger than block-size data. The key needs to "
        + "be hashed before being used by the HMAC algorithm."

    /// RFC 4231's test cases 1-4, 6 and 7 (5 is the truncated one, below).
    static let vectors: [Vector] = [
        Vector(
            key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
            expected: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(
            key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
            expected: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(
            key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
            expected: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(
            key: Array(UInt8(1)...UInt8(25)), data: [UInt8](repeating: 0xcd, count: 50),
            expected: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Vector(
            key: largeKey, data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            expected: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(
            key: largeKey, data: Array(largeData.utf8),
            expected: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: vectors)
    func rfc4231Vectors(vector: Vector) {
        #expect(HMACSHA256.hexCode(key: vector.key, message: vector.data) == vector.expected)
    }

    @Test func rfc4231TruncatedVector() {
        let code = HMACSHA256.code(key: Array(repeating: 0x0c, count: 20), message: Array("Test With Truncation".utf8))
        #expect(hex(Array(code.prefix(16))) == "a3b6167473100ee06e0c796c2955552b")
    }

    @Test func signatureHeadersAreCheckedOverTheExactBytes() {
        let secret = Array("rahasia-aplikasi".utf8)
        let body = Array(#"{"object":"whatsapp_business_account","entry":[]}"#.utf8)
        let header = "sha256=" + HMACSHA256.hexCode(key: secret, message: body)
        #expect(HMACSHA256.verify(signatureHeader: header, body: body, secret: secret))
        #expect(
            HMACSHA256.verify(
                signatureHeader: header.uppercased().replacingOccurrences(of: "SHA256=", with: "sha256="), body: body,
                secret: secret))
        #expect(!HMACSHA256.verify(signatureHeader: header, body: body + [0x20], secret: secret), "one more byte")
        #expect(!HMACSHA256.verify(signatureHeader: header, body: body, secret: Array("lain".utf8)))
        #expect(!HMACSHA256.verify(signatureHeader: nil, body: body, secret: secret))
        #expect(!HMACSHA256.verify(signatureHeader: "sha256=", body: body, secret: secret))
        #expect(!HMACSHA256.verify(signatureHeader: "sha1=" + header.dropFirst(7), body: body, secret: secret))
        #expect(!HMACSHA256.verify(signatureHeader: String(header.dropLast(2)), body: body, secret: secret))
        #expect(!HMACSHA256.verify(signatureHeader: String(header.dropLast()) + "g", body: body, secret: secret))
        #expect(HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!HMACSHA256.constantTimeEquals([1, 2, 3], [1, 2]))
    }
}
