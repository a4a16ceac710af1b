#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A JSON value that keeps object keys in the order they were written, for stable, readable output lines.
public indirect enum JSON: Sendable, Equatable {
    case string(String)
    case number(Double)
    case integer(Int)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    /// Equal when they would be written the same (an integer and a whole number are the same number), compared
    /// value by value rather than by serializing both.
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        case (.integer(let a), .integer(let b)): a == b
        case (.number, .number), (.number, .integer), (.integer, .number): lhs.serialized == rhs.serialized
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Compact, single-line JSON.
    public var serialized: String {
        var output: [UInt8] = []
        output.reserveCapacity(1024)
        write(into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends compact JSON as UTF-8 bytes: the engine writes every answer this way, so it is built byte by byte
    /// and copies runs of plain text whole (appending scalar by scalar to a String cost 70 µs per answer).
    public func write(into output: inout [UInt8]) {
        switch self {
        case .string(let text): JSON.writeString(text, into: &output)
        case .number(let value): JSON.writeNumber(value, into: &output)
        case .integer(let value): JSON.append(String(value), to: &output)
        case .bool(let value): JSON.append(value ? "true" : "false", to: &output)
        case .null: JSON.append("null", to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.write(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSON.writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                value.write(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// A number as `.number` writes it: whole numbers without a fraction, others in Swift's shortest form.
    static func writeNumber(_ value: Double, into output: inout [UInt8]) {
        if value.isFinite {
            JSON.append(value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value), to: &output)
        } else {
            JSON.append("null", to: &output)
        }
    }

    static func append(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    /// Bytes that may start something to escape; every other byte is copied as it is.
    private static let attention: [Bool] = (0..<256).map { byte in
        byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F || byte == 0xC2 || byte == 0xE2
    }

    /// A JSON string; control characters (C0, DEL, C1) and U+2028/U+2029 are escaped so no reader splits a line.
    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            func escape(_ code: UInt32, length: Int) {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                switch code {
                case 0x22: output.append(contentsOf: [0x5C, 0x22])
                case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: [0x5C, UInt8(ascii: "u")])
                    for shift in stride(from: 12, through: 0, by: -4) { output.append(hex[Int(code >> UInt32(shift) & 0xF)]) }
                }
                index += length
                runStart = index
            }
            JSON.attention.withUnsafeBufferPointer { attention in
                while index < bytes.count {
                    let byte = bytes[index]
                    if !attention[Int(byte)] {
                        index += 1
                    } else if byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F {
                        escape(UInt32(byte), length: 1)
                    } else if byte == 0xC2, index + 1 < bytes.count, bytes[index + 1] <= 0x9F {
                        // U+0080…U+009F, the C1 controls, are C2 80…C2 9F in UTF-8.
                        escape(UInt32(bytes[index + 1]), length: 2)
                    } else if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80,
                        bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9
                    {
                        escape(0x2000 + UInt32(bytes[index + 2]) - 0x80, length: 3)
                    } else {
                        index += 1
                    }
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Parses one JSON document; nil when it is not valid JSON.
    public static func parse(_ text: String) -> JSON? {
        try? parseOrThrow(text)
    }

    /// Parses one JSON document (RFC 8259), saying what is wrong and where when it is not valid JSON.
    public static func parseOrThrow(_ text: String) throws(JSONSyntaxError) -> JSON {
        var text = text
        // withUTF8 only rethrows untyped errors; the typed one travels out in a Result.
        let result = text.withUTF8 { bytes -> Result<JSON, JSONSyntaxError> in
            if bytes.isEmpty || bytes.allSatisfy({ JSONParser.isWhitespace($0) }) {
                return .failure(JSONSyntaxError(column: nil, message: "empty line; expected a JSON object"))
            }
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                return .failure(JSONSyntaxError(
                    column: 1, message: "a byte order mark (U+FEFF) is not allowed before the JSON text"))
            }
            var parser = JSONParser(bytes: bytes)
            do throws(JSONSyntaxError) {
                let value = try parser.parseValue(depth: 0)
                parser.skipWhitespace()
                guard parser.atEnd else { throw parser.error("unexpected text after the JSON value") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

/// Why a line is not valid JSON, and at which byte column.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based byte column, nil when the problem is the line as a whole.
    public var column: Int?
    public var message: String

    public var description: String {
        "not valid JSON" + (column.map { " at column \($0)" } ?? "") + ": " + message
    }
}

/// A small strict JSON reader (RFC 8259), so input lines are judged the same way on every platform.
private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Deeper documents are refused: nothing in the protocol nests, and recursion must not exhaust the stack.
    static let maximumDepth = 64

    var atEnd: Bool { index >= bytes.count }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    func error(_ message: String, at position: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(column: (position ?? index) + 1, message: message)
    }

    private var found: String {
        guard index < bytes.count else { return "the end of the line" }
        let byte = bytes[index]
        return (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    mutating func skipWhitespace() {
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
    }

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSON {
        skipWhitespace()
        guard index < bytes.count else { throw error("expected a value, found the end of the line") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
            return try parseObject(depth: depth)
        case UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
            return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("expected a value, found \(found)")
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSON) throws(JSONSyntaxError) -> JSON {
        let count = word.utf8CodeUnitCount
        let matches = index + count <= bytes.count
            && word.withUTF8Buffer { expected in (0..<count).allSatisfy { bytes[index + $0] == expected[$0] } }
        guard matches else { throw error("expected a value, found \(found)") }
        index += count
        return value
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSON {
        index += 1
        var members: [(String, JSON)] = []
        // Positions of keys already read: a repeated key replaces its value in place, without a search. Small
        // objects (every engine line) look back over their few keys instead: hashing each key cost more than the
        // rest of the object.
        var positions: [String: Int] = [:]
        let linearMembers = 8
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a key in double quotes, found \(found)")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after a key, found \(found)")
            }
            index += 1
            let value = try parseValue(depth: depth + 1)
            if members.count <= linearMembers {
                if let position = members.firstIndex(where: { $0.0 == key }) {
                    members[position].1 = value
                } else {
                    members.append((key, value))
                    if members.count > linearMembers {
                        for (position, member) in members.enumerated() { positions[member.0] = position }
                    }
                }
            } else if let position = positions[key] {
                members[position].1 = value
            } else {
                positions[key] = members.count
                members.append((key, value))
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated object: '}' is missing") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}' in an object, found \(found)")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSON {
        index += 1
        var items: [JSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated array: ']' is missing") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("expected ',' or ']' in an array, found \(found)")
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1
        // Most strings have no escapes: found whole, they become a String without a byte-by-byte copy.
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
            index = end + 1
            return text
        }
        var output: [UInt8] = Array(bytes[index..<end])
        index = end
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escape)
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "t"): output.append(0x09)
                case UInt8(ascii: "r"): output.append(0x0D)
                case UInt8(ascii: "b"): output.append(0x08)
                case UInt8(ascii: "f"): output.append(0x0C)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        let save = index
                        index += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            // Not a pair: the high surrogate stands alone and the next escape is read on its own.
                            index = save
                        }
                    }
                    // A lone surrogate cannot be text (RFC 8259 §8.2); it becomes the replacement character.
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    output.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))' in a string", at: index - 2)
                }
            case 0..<0x20:
                throw error("control character 0x\(String(byte, radix: 16)) in a string must be escaped", at: index - 1)
            default: output.append(byte)
            }
        }
        throw error("unterminated string: the closing '\"' is missing", at: start)
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard index + offset < bytes.count, let digit = Self.hexDigit(bytes[index + offset]) else {
                throw error("\\u needs four hexadecimal digits", at: index - 2)
            }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, exactly as RFC 8259 writes it.
    private mutating func parseNumber() throws(JSONSyntaxError) -> JSON {
        let start = index
        func digits() -> Int {
            let first = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - first
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0 else { throw error("invalid number: a digit must follow '-'", at: start) }
        if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") {
            throw error("invalid number: no leading zeros allowed", at: start)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("invalid number: a digit must follow '.'", at: start) }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("invalid number: the exponent needs digits", at: start) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else { throw error("invalid number", at: start) }
        return .number(value)
    }
}
