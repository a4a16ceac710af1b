import Foundation

/// HMAC-SHA256 (RFC 2104) over the hub's own SHA-256: enough to check Meta's webhook signatures without pulling a
/// crypto library into the hub.
public enum HMACSHA256 {
    /// SHA-256's block size in bytes.
    private static let blockSize = 64

    /// The 32-byte authentication code of `message` under `key`.
    public static func code(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > blockSize ? SHA256.digest(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = SHA256.digest(block.map { $0 ^ 0x36 } + message)
        return SHA256.digest(block.map { $0 ^ 0x5c } + inner)
    }

    /// Lower-case hex of the code, the form Meta's `X-Hub-Signature-256` carries after `sha256=`.
    public static func hexCode(key: [UInt8], message: [UInt8]) -> String {
        code(key: key, message: message).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Compares two byte strings in time that depends only on their lengths, so a forger learns nothing from how
    /// long a wrong signature took to refuse.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// Checks a `X-Hub-Signature-256` header (`sha256=` and 64 hex digits) against the raw `body` as received.
    public static func verify(signatureHeader: String?, body: [UInt8], secret: [UInt8]) -> Bool {
        guard let header = signatureHeader?.trimmingCharacters(in: .whitespaces), header.hasPrefix("sha256="),
            let claimed = bytes(hex: header.dropFirst("sha256=".count))
        else { return false }
        return constantTimeEquals(code(key: secret, message: body), claimed)
    }

    /// Bytes of an even-length hex string (either case); nil for anything else.
    static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
