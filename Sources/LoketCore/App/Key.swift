/// A key press, decoded by the terminal backend; text keys carry a whole grapheme cluster.
public enum Key: Sendable, Equatable {
    case character(Character)
    case enter, tab, backTab, backspace, delete, escape
    case left, right, up, down, home, end, pageUp, pageDown
    /// Ctrl plus a letter, lowercase ("n" for Ctrl-N).
    case control(Character)
    case function(Int)
}

/// Everything that can happen to the app: keys, the clock, the terminal size.
public enum AppEvent: Sendable, Equatable {
    case key(Key)
    case tick(Date)
    case resize(width: Int, height: Int)
    /// Standard input ended (a closed terminal): leave like F10 without asking.
    case inputClosed
    /// Something happened to a citizen's chat (from the simulator or the hub).
    case citizen(CitizenEvent)
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
