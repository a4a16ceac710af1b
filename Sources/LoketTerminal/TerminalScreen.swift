import CNcurses
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LoketCore
import LoketUI

/// What reading the keyboard gave.
public enum TerminalInput: Equatable {
    case key(Key)
    case resize(width: Int, height: Int)
    case timeout
    case endOfInput
}

/// The ncurses screen: the only place ncurses is called. Use it from one thread.
public final class TerminalScreen {
    private let screen: OpaquePointer
    private let theme: Theme
    private let colors: Int
    private var pairs: [PairKey: Int16] = [:]
    private var quickErrors = 0
    private var closed = false
    private let inputTimeoutMilliseconds: Int32

    private struct PairKey: Hashable {
        var foreground: Int
        var background: Int
    }

    /// Starts the screen, or refuses with a one-line reason (checked before ncurses can garble anything).
    public init(term: String?, theme: Theme, noColor: Bool, inputTimeoutMilliseconds: Int32 = 200) throws(TerminalCheck.Refusal) {
        if let refusal = TerminalCheck.check(term: term, stdinIsTerminal: isatty(0) == 1, stdoutIsTerminal: isatty(1) == 1) {
            throw refusal
        }
        // Wide characters, box drawing and typed or pasted UTF-8 all need a UTF-8 character type.
        guard loket_use_utf8_locale() != 0 else {
            throw TerminalCheck.Refusal(description: Catalogue.Terminal.noUTF8Locale)
        }
        guard let term, let screen = loket_newterm(term) else {
            throw TerminalCheck.Refusal(description: Catalogue.Terminal.unknownTerm(term ?? ""))
        }
        self.screen = screen
        self.theme = theme
        self.inputTimeoutMilliseconds = inputTimeoutMilliseconds
        set_term(screen)
        loket_install_signal_handlers()
        raw()
        noecho()
        nonl()
        keypad(loket_stdscr(), true)
        set_escdelay(25)
        wtimeout(loket_stdscr(), inputTimeoutMilliseconds)
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            colors = Int(loket_colors())
        } else {
            colors = 0
        }
    }

    deinit { close() }

    /// Restores the terminal; safe to call more than once.
    public func close() {
        guard !closed else { return }
        closed = true
        endwin()
        delscreen(screen)
        loket_uninstall_signal_handlers()
    }

    /// SIGTERM, SIGHUP or SIGINT arrived: the caller should save its work, close the screen and call
    /// `endProcess(bySignal:)`.
    public var stopSignal: Int32? {
        let signal = loket_pending_stop_signal()
        return signal == 0 ? nil : signal
    }

    /// Ends the process the way the signal would have, so the parent sees it was stopped by that signal.
    public static func endProcess(bySignal signal: Int32) -> Never {
        loket_reraise_default(signal)
        exit(128 + signal)
    }

    /// The signal's usual name ("SIGTERM").
    public static func name(ofSignal signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        case SIGINT: "SIGINT"
        default: "\(signal)"
        }
    }

    public var size: (width: Int, height: Int) {
        (Int(getmaxx(loket_stdscr())), Int(getmaxy(loket_stdscr())))
    }

    public var colorCount: Int { colors }

    /// Waits up to the input timeout for one key; with `waiting` false, takes a key only if one is already there.
    public func read(waiting: Bool = true) -> TerminalInput {
        if !waiting { wtimeout(loket_stdscr(), 0) }
        defer { if !waiting { wtimeout(loket_stdscr(), inputTimeoutMilliseconds) } }
        var character: wint_t = 0
        let clock = ContinuousClock()
        let started = clock.now
        let result = wget_wch(loket_stdscr(), &character)
        switch result {
        case KEY_CODE_YES:
            quickErrors = 0
            if Int32(character) == KEY_RESIZE {
                // The terminal may have reflowed or scrolled what it showed; repaint everything, not a diff.
                clearok(loket_stdscr(), true)
                let size = self.size
                return .resize(width: size.width, height: size.height)
            }
            return Self.functionKey(Int32(character)).map(TerminalInput.key) ?? .timeout
        case OK:
            quickErrors = 0
            if character == 27 { return .key(readEscapeSequence()) }
            return Self.textKey(UInt32(character)).map(TerminalInput.key) ?? .timeout
        default:
            // Nothing typed yet; end of input is left for a waiting read to notice.
            if !waiting { return .timeout }
            // At end of file wget_wch fails at once, forever; a real timeout takes the full wait.
            if clock.now - started < .milliseconds(5) {
                quickErrors += 1
                if quickErrors >= 20 { return .endOfInput }
            } else {
                quickErrors = 0
            }
            return .timeout
        }
    }

    /// Decodes an escape sequence ncurses left undecoded because the terminal description lacks it (F10 on
    /// vt100, F1 on the Linux console); a lone Esc is the Escape key.
    private func readEscapeSequence() -> Key {
        wtimeout(loket_stdscr(), 30)
        defer { wtimeout(loket_stdscr(), inputTimeoutMilliseconds) }
        var sequence = ""
        var character: wint_t = 0
        while sequence.count < 6, wget_wch(loket_stdscr(), &character) == OK, let scalar = Unicode.Scalar(UInt32(character)) {
            sequence.unicodeScalars.append(scalar)
            if sequence.count > 1, scalar == "~" || (scalar.properties.isAlphabetic && sequence != "[[" && sequence != "O") {
                break
            }
        }
        return Self.escapeSequences[sequence] ?? .escape
    }

    static let escapeSequences: [String: Key] = [
        "OP": .function(1), "OQ": .function(2), "OR": .function(3), "OS": .function(4),
        "[11~": .function(1), "[12~": .function(2), "[13~": .function(3), "[14~": .function(4), "[15~": .function(5),
        "[17~": .function(6), "[18~": .function(7), "[19~": .function(8), "[20~": .function(9), "[21~": .function(10),
        "[23~": .function(11), "[24~": .function(12),
        "[[A": .function(1), "[[B": .function(2), "[[C": .function(3), "[[D": .function(4), "[[E": .function(5),
        "[A": .up, "[B": .down, "[C": .right, "[D": .left, "OA": .up, "OB": .down, "OC": .right, "OD": .left,
        "[H": .home, "[F": .end, "OH": .home, "OF": .end, "[1~": .home, "[4~": .end, "[7~": .home, "[8~": .end,
        "[5~": .pageUp, "[6~": .pageDown, "[3~": .delete, "[Z": .backTab,
    ]

    static func textKey(_ value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 27: return .escape
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(value) + 96)))
        case 0, 28...31: return nil
        default: return Unicode.Scalar(value).map { .character(Character($0)) }
        }
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        default:
            for number in 1...12 where code == loket_key_f(Int32(number)) { return .function(number) }
            return nil
        }
    }

    /// Draws a frame: runs of equally styled cells become one string each.
    public func draw(_ frame: Frame) {
        let buffer = frame.buffer
        let size = self.size
        for y in 0..<min(buffer.height, size.height) {
            var x = 0
            while x < min(buffer.width, size.width) {
                let style = buffer[x, y].style
                var run = ""
                let start = x
                while x < min(buffer.width, size.width), buffer[x, y].style == style {
                    let cell = buffer[x, y]
                    if !cell.isContinuation { run.append(cell.character) }
                    x += 1
                }
                apply(style)
                _ = mvwaddstr(loket_stdscr(), Int32(y), Int32(start), run)
            }
        }
        if let cursor = frame.cursor {
            curs_set(1)
            wmove(loket_stdscr(), Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
        }
        wrefresh(loket_stdscr())
    }

    private func apply(_ cell: CellStyle) {
        let role = theme.style(for: cell.role)
        let pair = pairNumber(role)
        loket_set_style(
            (cell.bold || role.bold) ? 1 : 0, (cell.reverse != role.reverse) ? 1 : 0, role.underline ? 1 : 0,
            role.dim ? 1 : 0, pair)
    }

    private func pairNumber(_ role: RoleStyle) -> Int16 {
        guard colors > 0 else { return 0 }
        let key = PairKey(foreground: role.foreground.number(for: colors) ?? -1, background: role.background.number(for: colors) ?? -1)
        if key.foreground == -1 && key.background == -1 { return 0 }
        if let pair = pairs[key] { return pair }
        let next = Int16(pairs.count + 1)
        guard Int(next) < Int(loket_color_pairs()) else { return 0 }
        init_pair(next, Int16(key.foreground), Int16(key.background))
        pairs[key] = next
        return next
    }
}
