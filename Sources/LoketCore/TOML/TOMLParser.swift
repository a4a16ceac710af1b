/// Parses TOML 1.0 documents (without offset date-times) into tables that remember source lines.
///
/// Loket parses its own TOML instead of depending on a C++ library so that every key of a script or theme keeps
/// its line number: a bad reply kind three hundred lines into a script is reported at its line, not just by name.
public struct TOMLParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    private var root = TOMLTable()
    /// Deepest nesting of arrays, inline tables and dotted keys: reading recurses, and a file must never be able
    /// to exhaust the stack. Scripts and themes need three or four levels.
    static let maximumDepth = 64
    private static let tooDeep = "nested deeper than \(maximumDepth) levels (arrays, inline tables and dotted keys)"
    /// Path of the table that `key = value` lines currently go into.
    private var currentPath: [String] = []

    public static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        var parser = TOMLParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Document structure

    private mutating func parseDocument() throws(TOMLSyntaxError) -> TOMLTable {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while true {
            skipWhitespaceCommentsAndNewlines()
            guard let byte = peek() else { break }
            if byte == UInt8(ascii: "[") {
                try parseHeader()
            } else {
                let (path, value) = try parseKeyValue()
                try insert(value, at: path, relativeTo: currentPath, keyLine: value.line)
            }
            try expectEndOfLine()
        }
        return root
    }

    private mutating func parseHeader() throws(TOMLSyntaxError) {
        let headerLine = line
        advance()
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { advance() }
        skipInlineWhitespace()
        let path = try parseKeyPath()
        skipInlineWhitespace()
        try expect(UInt8(ascii: "]"), "expected ']' to close the table header")
        if isArray { try expect(UInt8(ascii: "]"), "expected ']]' to close the array-of-tables header") }
        let name = path.joined(separator: ".")
        try Self.openTable(in: &root, path: path[...], isArray: isArray, line: headerLine, name: name)
        currentPath = path
    }

    /// Walks `path`, creating implicit tables, and defines the last component as a table or appends to an array.
    private static func openTable(
        in table: inout TOMLTable, path: ArraySlice<String>, isArray: Bool, line: Int, name: String
    ) throws(TOMLSyntaxError) {
        guard let key = path.first else { return }
        let rest = path.dropFirst()
        if rest.isEmpty {
            try table.modify(key) { (slot) throws(TOMLSyntaxError) in
                var element = TOMLTable()
                element.isExplicitlyDefined = true
                guard var value = slot else {
                    slot = isArray
                        ? TOMLValue(.array([TOMLValue(.table(element), line: line)]), line: line)
                        : TOMLValue(.table(element), line: line)
                    return
                }
                slot = nil
                if isArray {
                    // Arrays written as values hold inline tables or no tables at all, so the first element tells
                    // them from an array of tables without a walk over every element.
                    guard var items = value.takeArray(), items.first?.table.map({ !$0.isInline }) ?? false else {
                        throw Self.error("'\(name)' is already defined and is not an array of tables", line: line)
                    }
                    items.append(TOMLValue(.table(element), line: line))
                    value.kind = .array(items)
                } else {
                    guard var existing = value.takeTable(), !existing.isExplicitlyDefined, !existing.isInline else {
                        throw Self.error("table '\(name)' is defined twice", line: line)
                    }
                    existing.isExplicitlyDefined = true
                    value = TOMLValue(.table(existing), line: line)
                }
                slot = value
            }
            return
        }
        try descend(into: &table, key: key, line: line, name: name) { (child) throws(TOMLSyntaxError) in
            try openTable(in: &child, path: rest, isArray: isArray, line: line, name: name)
        }
    }

    /// Runs `body` on the table stored under `key` (the last element for arrays of tables), creating it if missing.
    private static func descend(
        into table: inout TOMLTable, key: String, line: Int, name: String,
        _ body: (inout TOMLTable) throws(TOMLSyntaxError) -> Void
    ) throws(TOMLSyntaxError) {
        try table.modify(key) { (slot) throws(TOMLSyntaxError) in
            guard var value = slot else {
                var child = TOMLTable()
                try body(&child)
                slot = TOMLValue(.table(child), line: line)
                return
            }
            // The slot lets go of the value so that the table inside has one owner and changes in place.
            slot = nil
            if var child = value.takeTable() {
                if child.isInline { throw Self.error("inline table '\(key)' cannot be extended", line: line) }
                try body(&child)
                value.kind = .table(child)
            } else if var items = value.takeArray() {
                guard var last = items.popLast(), var child = last.takeTable(), !child.isInline else {
                    throw Self.error("'\(key)' in '\(name)' is an array, not a table", line: line)
                }
                try body(&child)
                last.kind = .table(child)
                items.append(last)
                value.kind = .array(items)
            } else {
                throw Self.error("'\(key)' in '\(name)' already holds a value, not a table", line: line)
            }
            slot = value
        }
    }

    private mutating func insert(
        _ value: TOMLValue, at path: [String], relativeTo base: [String], keyLine: Int
    ) throws(TOMLSyntaxError) {
        let name = path.joined(separator: ".")
        // A static walk: a copy of the parser here would hold a second reference to every table on the path
        // and make each insertion copy the table it goes into.
        try Self.insert(value, in: &root, path: (base + path)[...], name: name, line: keyLine)
    }

    private static func insert(
        _ value: TOMLValue, in table: inout TOMLTable, path: ArraySlice<String>, name: String, line: Int
    ) throws(TOMLSyntaxError) {
        guard let key = path.first else { return }
        let rest = path.dropFirst()
        if rest.isEmpty {
            if table[key] != nil { throw Self.error("key '\(name)' is defined twice", line: line) }
            table[key] = value
            return
        }
        try descend(into: &table, key: key, line: line, name: name) { (child) throws(TOMLSyntaxError) in
            try insert(value, in: &child, path: rest, name: name, line: line)
        }
    }

    // MARK: Keys

    /// `key = value`; the value carries the key's line.
    private mutating func parseKeyValue(depth: Int = 0) throws(TOMLSyntaxError) -> (path: [String], value: TOMLValue) {
        let keyLine = line
        let path = try parseKeyPath()
        skipInlineWhitespace()
        try expect(UInt8(ascii: "="), "expected '=' after key '\(path.joined(separator: "."))'")
        skipInlineWhitespace()
        return (path, try parseValue(line: keyLine, depth: depth + path.count))
    }

    private mutating func parseKeyPath() throws(TOMLSyntaxError) -> [String] {
        var parts = [try parseSimpleKey()]
        while true {
            skipInlineWhitespace()
            guard peek() == UInt8(ascii: ".") else { break }
            advance()
            skipInlineWhitespace()
            parts.append(try parseSimpleKey())
            guard parts.count <= Self.maximumDepth else { throw error(Self.tooDeep) }
        }
        return parts
    }

    private mutating func parseSimpleKey() throws(TOMLSyntaxError) -> String {
        guard let byte = peek() else { throw error("expected a key, found the end of the file") }
        if byte == UInt8(ascii: "\"") { return try parseBasicString() }
        if byte == UInt8(ascii: "'") { return try parseLiteralString() }
        let start = index
        while let byte = peek(), Self.isBareKeyByte(byte) { advance() }
        guard index > start else { throw error("expected a key, found '\(Self.describe(byte))'") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    // MARK: Values

    private mutating func parseValue(line valueLine: Int, depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        guard let byte = peek() else { throw error("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            if lookingAt("\"\"\"") { return TOMLValue(.string(try parseMultilineBasicString()), line: valueLine) }
            return TOMLValue(.string(try parseBasicString()), line: valueLine)
        case UInt8(ascii: "'"):
            if lookingAt("'''") { return TOMLValue(.string(try parseMultilineLiteralString()), line: valueLine) }
            return TOMLValue(.string(try parseLiteralString()), line: valueLine)
        case UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { throw error(Self.tooDeep) }
            return try parseArray(line: valueLine, depth: depth + 1)
        case UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { throw error(Self.tooDeep) }
            return try parseInlineTable(line: valueLine, depth: depth + 1)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if lookingAt("true") { index += 4; return TOMLValue(.boolean(true), line: valueLine) }
            if lookingAt("false") { index += 5; return TOMLValue(.boolean(false), line: valueLine) }
            throw error("expected a value; strings need quotes")
        default:
            return try parseNumberOrDate(line: valueLine)
        }
    }

    private mutating func parseArray(line arrayLine: Int, depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        advance()
        var items: [TOMLValue] = []
        while true {
            skipWhitespaceCommentsAndNewlines()
            if peek() == UInt8(ascii: "]") { advance(); break }
            items.append(try parseValue(line: line, depth: depth))
            skipWhitespaceCommentsAndNewlines()
            if peek() == UInt8(ascii: ",") { advance(); continue }
            if peek() == UInt8(ascii: "]") { advance(); break }
            throw error("expected ',' or ']' in the array that starts on line \(arrayLine)")
        }
        return TOMLValue(.array(items), line: arrayLine)
    }

    private mutating func parseInlineTable(line tableLine: Int, depth: Int) throws(TOMLSyntaxError) -> TOMLValue {
        advance()
        var table = TOMLTable()
        skipInlineWhitespace()
        if peek() == UInt8(ascii: "}") {
            advance()
        } else {
            while true {
                skipInlineWhitespace()
                let (path, value) = try parseKeyValue(depth: depth)
                try Self.insert(value, in: &table, path: path[...], name: path.joined(separator: "."),
                                line: value.line)
                skipInlineWhitespace()
                if peek() == UInt8(ascii: ",") { advance(); continue }
                if peek() == UInt8(ascii: "}") { advance(); break }
                throw error("expected ',' or '}' in the inline table")
            }
        }
        table.isInline = true
        table.isExplicitlyDefined = true
        return TOMLValue(.table(table), line: tableLine)
    }

    private mutating func parseNumberOrDate(line valueLine: Int) throws(TOMLSyntaxError) -> TOMLValue {
        let start = index
        while let byte = peek(),
            Self.isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: ":")
        {
            advance()
        }
        let token = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !token.isEmpty else {
            throw error("expected a value, found '\(Self.describe(bytes[start]))'")
        }
        if let date = Self.localDate(token) { return TOMLValue(date, line: valueLine) }
        let digits = token.replacing("_", with: "")
        if let integer = Int(digits) { return TOMLValue(.integer(integer), line: valueLine) }
        if digits.hasPrefix("0x"), let integer = Int(digits.dropFirst(2), radix: 16) {
            return TOMLValue(.integer(integer), line: valueLine)
        }
        let unsigned = digits.first == "+" || digits.first == "-" ? digits.dropFirst() : Substring(digits)
        if !unsigned.isEmpty, unsigned.allSatisfy({ $0.isASCII && $0.isNumber }) {
            index = start
            throw error("integer '\(token)' is out of range (\(Int.min) to \(Int.max))")
        }
        if let float = Double(digits), digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            return TOMLValue(.float(float), line: valueLine)
        }
        switch digits {
        case "inf", "+inf": return TOMLValue(.float(.infinity), line: valueLine)
        case "-inf": return TOMLValue(.float(-.infinity), line: valueLine)
        case "nan", "+nan", "-nan": return TOMLValue(.float(.nan), line: valueLine)
        default: break
        }
        index = start
        throw error("'\(token)' is not a valid value (strings need quotes)")
    }

    private static func localDate(_ token: String) -> TOMLValue.Kind? {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        return .date(year: year, month: month, day: day)
    }

    // MARK: Strings

    private mutating func parseBasicString() throws(TOMLSyntaxError) -> String {
        advance()
        var result: [UInt8] = []
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n") else {
                throw error("unterminated string: a closing '\"' is missing")
            }
            advance()
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                try parseEscape(into: &result)
            } else {
                result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private mutating func parseMultilineBasicString() throws(TOMLSyntaxError) -> String {
        index += 3
        skipFirstNewline()
        var result: [UInt8] = []
        while true {
            if lookingAt("\"\"\"") {
                index += 3
                // Up to two quotes directly before the closing delimiter belong to the content.
                var extra = 0
                while peek() == UInt8(ascii: "\""), extra < 2 { advance(); extra += 1; result.append(UInt8(ascii: "\"")) }
                break
            }
            guard let byte = peek() else { throw error("unterminated multi-line string: '\"\"\"' is missing") }
            advance()
            if byte == UInt8(ascii: "\n") { newLine() }
            if byte == UInt8(ascii: "\\") {
                if let next = peek(), next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == 0x0A || next == 0x0D {
                    // A line-ending backslash joins lines and trims the following whitespace.
                    while let next = peek(), next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D {
                        advance()
                        if next == 0x0A { newLine() }
                    }
                } else {
                    try parseEscape(into: &result)
                }
            } else {
                result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    private mutating func parseLiteralString() throws(TOMLSyntaxError) -> String {
        advance()
        let start = index
        while let byte = peek(), byte != UInt8(ascii: "'") {
            if byte == UInt8(ascii: "\n") { throw error("unterminated string: a closing \"'\" is missing") }
            advance()
        }
        guard peek() != nil else { throw error("unterminated string: a closing \"'\" is missing") }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        advance()
        return text
    }

    private mutating func parseMultilineLiteralString() throws(TOMLSyntaxError) -> String {
        index += 3
        skipFirstNewline()
        let start = index
        while !lookingAt("'''") {
            guard let byte = peek() else { throw error("unterminated multi-line string: \"'''\" is missing") }
            advance()
            if byte == UInt8(ascii: "\n") { newLine() }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 3
        return text
    }

    private mutating func skipFirstNewline() {
        if peek() == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
        if peek() == 0x0A { advance(); newLine() }
    }

    private mutating func parseEscape(into result: inout [UInt8]) throws(TOMLSyntaxError) {
        guard let escape = peek() else { throw error("unfinished escape sequence") }
        advance()
        switch escape {
        case UInt8(ascii: "n"): result.append(0x0A)
        case UInt8(ascii: "t"): result.append(0x09)
        case UInt8(ascii: "r"): result.append(0x0D)
        case UInt8(ascii: "b"): result.append(0x08)
        case UInt8(ascii: "f"): result.append(0x0C)
        case UInt8(ascii: "e"): result.append(0x1B)
        case UInt8(ascii: "\""): result.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): result.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let length = escape == UInt8(ascii: "u") ? 4 : 8
            guard index + length <= bytes.count,
                let code = UInt32(String(decoding: bytes[index..<index + length], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(code)
            else { throw error("invalid unicode escape") }
            index += length
            result.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw error("unknown escape sequence '\\\(Self.describe(escape))'")
        }
    }

    // MARK: Whitespace and positions

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func advance() { index += 1 }

    private mutating func newLine() {
        line += 1
        lineStart = index
    }

    private func lookingAt(_ literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        guard index + utf8.count <= bytes.count else { return false }
        return bytes[index..<index + utf8.count].elementsEqual(utf8)
    }

    private mutating func skipInlineWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { advance() }
    }

    private mutating func skipComment() {
        if peek() == UInt8(ascii: "#") {
            while let byte = peek(), byte != 0x0A { advance() }
        }
    }

    private mutating func skipWhitespaceCommentsAndNewlines() {
        while true {
            skipInlineWhitespace()
            skipComment()
            if peek() == 0x0D { advance(); continue }
            if peek() == 0x0A {
                advance()
                newLine()
                continue
            }
            break
        }
    }

    private mutating func expectEndOfLine() throws(TOMLSyntaxError) {
        skipInlineWhitespace()
        skipComment()
        if peek() == 0x0D { advance() }
        guard let byte = peek() else { return }
        guard byte == 0x0A else { throw error("expected the end of the line, found '\(Self.describe(byte))'") }
        advance()
        newLine()
    }

    private mutating func expect(_ byte: UInt8, _ message: String) throws(TOMLSyntaxError) {
        guard peek() == byte else { throw error(message) }
        advance()
    }

    private func error(_ message: String) -> TOMLSyntaxError {
        TOMLSyntaxError(line: line, column: index - lineStart + 1, message: message)
    }

    private static func error(_ message: String, line errorLine: Int) -> TOMLSyntaxError {
        TOMLSyntaxError(line: errorLine, column: 1, message: message)
    }

    private static func describe(_ byte: UInt8) -> String {
        byte < 0x20 ? "\\u{\(String(byte, radix: 16))}" : String(decoding: [byte], as: UTF8.self)
    }
}
