/// How a cell is drawn: a theme role resolved later by the terminal backend, plus emphasis.
public struct CellStyle: Hashable, Sendable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool

    public init(role: Role = .text, bold: Bool = false, reverse: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
    }

    public static let plain = CellStyle()
}

/// One terminal cell: a grapheme cluster and its style. The cell after a wide character is a continuation.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: CellStyle
    /// True for the right half of a wide character: the backend skips it.
    public var isContinuation: Bool

    public static let blank = Cell(character: " ", style: .plain, isContinuation: false)
}

/// A grid of cells that panes draw into; pure, so a frame can be compared with literal lines in tests.
public struct CellBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(width, 0)
        self.height = max(height, 0)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * width + x]
    }

    /// Writes text from column `x` on row `y`, never past `maxX` (exclusive); returns the column after the text.
    /// A wide character that would straddle the limit is replaced by a space, so columns never shift.
    @discardableResult
    public mutating func write(_ text: some StringProtocol, x: Int, y: Int, style: CellStyle = .plain, maxX: Int? = nil)
        -> Int
    {
        let limit = min(maxX ?? width, width)
        guard y >= 0, y < height else { return x }
        var column = x
        // Most text on screen is ASCII: take it byte by byte, with no grapheme breaking or width look-ups.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            for byte in text.utf8 {
                if column >= limit { return limit }
                if column >= 0 { put(Character(Unicode.Scalar(byte)), x: column, y: y, style: style) }
                column += 1
            }
            return column
        }
        for character in text {
            let columns = DisplayWidth.of(character)
            if columns == 0 { continue }
            if column + columns > limit {
                if column < limit { put(" ", x: column, y: y, style: style) }
                return limit
            }
            if column >= 0 {
                put(character, x: column, y: y, style: style)
                if columns == 2 {
                    cells[y * width + column + 1] = Cell(character: " ", style: style, isContinuation: true)
                }
            }
            column += columns
        }
        return column
    }

    /// Writes `count` copies of a one-column character (borders, blank rows) from column `x`.
    public mutating func fill(_ character: Character, count: Int, x: Int, y: Int, style: CellStyle = .plain) {
        guard y >= 0, y < height else { return }
        for column in max(x, 0)..<min(x + count, width) { put(character, x: column, y: y, style: style) }
    }

    private mutating func put(_ character: Character, x: Int, y: Int, style: CellStyle) {
        let index = y * width + x
        // Overwriting half of a wide character blanks its other half.
        if cells[index].isContinuation, x > 0 { cells[index - 1] = Cell(character: " ", style: cells[index - 1].style, isContinuation: false) }
        if x + 1 < width, cells[index + 1].isContinuation {
            cells[index + 1] = Cell(character: " ", style: cells[index + 1].style, isContinuation: false)
        }
        cells[index] = Cell(character: character, style: style, isContinuation: false)
    }

    /// The buffer as text lines (continuation cells omitted), for tests and plain-text captures.
    public var lines: [String] {
        (0..<height).map { row in
            var line = ""
            for column in 0..<width where !self[column, row].isContinuation { line.append(self[column, row].character) }
            return line
        }
    }
}
