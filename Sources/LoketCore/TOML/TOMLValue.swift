/// A TOML value together with the line it was written on, so later checks can point at the source.
public struct TOMLValue: Sendable, Equatable {
    /// The kinds of value TOML can hold (offset date-times are not needed by Loket and are rejected).
    public enum Kind: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        case date(year: Int, month: Int, day: Int)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    public var kind: Kind
    /// 1-based line of the value's key (or of the value itself inside an array).
    public var line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    public var typeName: String {
        switch kind {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .date: "date"
        case .array: "array"
        case .table: "table"
        }
    }

    public var string: String? {
        if case .string(let value) = kind { return value }
        return nil
    }

    public var integer: Int? {
        if case .integer(let value) = kind { return value }
        return nil
    }

    public var double: Double? {
        switch kind {
        case .float(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    public var boolean: Bool? {
        if case .boolean(let value) = kind { return value }
        return nil
    }

    public var array: [TOMLValue]? {
        if case .array(let value) = kind { return value }
        return nil
    }

    public var table: TOMLTable? {
        if case .table(let value) = kind { return value }
        return nil
    }

    /// Moves the table out of this value (leaving a placeholder) so it can change without being copied.
    mutating func takeTable() -> TOMLTable? {
        guard case .table(let table) = kind else { return nil }
        kind = .boolean(false)
        return table
    }

    /// Moves the array out of this value (leaving a placeholder) so it can change without being copied.
    mutating func takeArray() -> [TOMLValue]? {
        guard case .array(let items) = kind else { return nil }
        kind = .boolean(false)
        return items
    }
}

/// A TOML table that keeps its keys in the order they were written.
public struct TOMLTable: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]
    /// Tables opened by a `[header]` may not be opened twice; implicit ones (made by `[a.b]`) may be later.
    var isExplicitlyDefined = false
    var isInline = false

    public init() {}

    public subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set {
            if values[key] == nil, newValue != nil { keys.append(key) }
            if newValue == nil { keys.removeAll { $0 == key } }
            values[key] = newValue
        }
    }

    /// Changes the value under `key` where it is: it leaves the dictionary while `body` runs, so a nested table
    /// or array it holds is changed in place instead of copied, which keeps a table of many keys linear to read.
    mutating func modify<Failure: Error>(
        _ key: String, _ body: (inout TOMLValue?) throws(Failure) -> Void
    ) throws(Failure) {
        var value = values.removeValue(forKey: key)
        let existed = value != nil
        try body(&value)
        if let value {
            values[key] = value
            if !existed { keys.append(key) }
        } else if existed {
            keys.removeAll { $0 == key }
        }
    }

    public var entries: [(key: String, value: TOMLValue)] {
        keys.compactMap { key in values[key].map { (key, $0) } }
    }
}

/// A TOML syntax error with the position where it was found.
public struct TOMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}
