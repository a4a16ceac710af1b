/// The officer's input line, edited by grapheme cluster so an emoji or an accented letter is one step.
public struct InputLine: Sendable, Equatable {
    public private(set) var characters: [Character] = []
    /// Insertion point, 0…characters.count.
    public private(set) var cursor = 0

    public init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    public var text: String { String(characters) }
    public var isEmpty: Bool { characters.isEmpty }

    public mutating func insert(_ text: String) {
        // A combining mark typed after a letter merges with it, and a joiner or flag half with what follows: the
        // inserted text is re-split together with its two neighbours only, so a key costs the same however long
        // the draft is.
        let start = max(cursor - 1, 0)
        let end = min(cursor + 1, characters.count)
        let leading = Array(String(characters[start..<cursor]) + text).count
        let rejoined = Array(String(characters[start..<cursor]) + text + String(characters[cursor..<end]))
        let following = end - cursor
        characters.replaceSubrange(start..<end, with: rejoined)
        // The cursor stays before the right-hand neighbour, or goes after the cluster that swallowed it.
        cursor = start + (rejoined.count == leading + following ? leading : rejoined.count)
    }

    public mutating func moveLeft() { cursor = max(cursor - 1, 0) }
    public mutating func moveRight() { cursor = min(cursor + 1, characters.count) }
    public mutating func moveHome() { cursor = 0 }
    public mutating func moveEnd() { cursor = characters.count }

    public mutating func deleteBackward() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    public mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    /// Ctrl-U: delete from the start of the line to the cursor.
    public mutating func deleteToStart() {
        characters.removeSubrange(0..<cursor)
        cursor = 0
    }

    /// Ctrl-W: delete the word before the cursor (and the spaces after it).
    public mutating func deleteWordBackward() {
        var start = cursor
        while start > 0, characters[start - 1].isWhitespace { start -= 1 }
        while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
        characters.removeSubrange(start..<cursor)
        cursor = start
    }
}
