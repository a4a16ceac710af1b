import CNcurses

/// Decides before any screen is started whether this terminal can run Loket's screen.
public enum TerminalCheck {
    /// Why the screen cannot start, in the words the user sees.
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// Refuses a missing or unknown `TERM` and terminals without cursor addressing (`dumb`): ncurses would
    /// exit or garble the screen instead.
    public static func check(term: String?, stdinIsTerminal: Bool, stdoutIsTerminal: Bool) -> Refusal? {
        guard stdinIsTerminal, stdoutIsTerminal else {
            return Refusal(description: "loket: layar loket butuh terminal interaktif (stdin dan stdout bukan terminal)")
        }
        guard let term, !term.isEmpty else {
            return Refusal(description: "loket: variabel TERM kosong; jalankan di terminal seperti xterm-256color")
        }
        guard loket_terminal_can_address_cursor(term) != 0 else {
            return Refusal(description: "loket: terminal '\(term)' tidak mendukung layar penuh (butuh kemampuan cup)")
        }
        return nil
    }
}
