import CNcurses
import LoketCore

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
            return Refusal(description: Catalogue.Terminal.notATerminal)
        }
        guard let term, !term.isEmpty else {
            return Refusal(description: Catalogue.Terminal.noTerm)
        }
        guard loket_terminal_can_address_cursor(term) != 0 else {
            return Refusal(description: Catalogue.Terminal.cannotAddressCursor(term))
        }
        return nil
    }
}
