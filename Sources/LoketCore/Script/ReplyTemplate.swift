#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The values a reply template can insert, written `{name}` in the script.
public enum Slot: String, Sendable, CaseIterable {
    /// "Selamat pagi" … "Selamat malam", from the message time in the office's zone.
    case salam
    /// "Bapak", "Ibu", or "Bapak/Ibu" when unknown.
    case honorific
    /// The honorific with the citizen's name when known ("Bapak Budi"), else the honorific alone.
    case addressee
    case service
    case requirements
    case duration
    case completionDate = "completion_date"
    /// "hari ini" on a working day before closing, else the next working day ("pada hari kerja berikutnya, …").
    case submitted
    case fee
    case receipt
    /// A receipt number the citizen quoted.
    case receiptRef = "receipt_ref"
    /// The day encoded in the quoted receipt number.
    case receivedDate = "received_date"
    case office
    case hours
    case address
    case contact
    case followupDeadline = "followup_deadline"
    /// What `ask_info` asks for (a service, a receipt number, …).
    case neededInfo = "needed_info"
}

/// A reply template split into literal text and slots, checked when the script loads.
public struct ReplyTemplate: Sendable, Equatable {
    /// One piece of a template.
    public enum Part: Sendable, Equatable {
        case text(String)
        case slot(Slot)
    }

    public let parts: [Part]
    public let source: String

    public var slots: [Slot] {
        parts.compactMap { if case .slot(let slot) = $0 { slot } else { nil } }
    }

    /// Why a template could not be parsed.
    public enum ParseError: Error, Equatable {
        case unknownSlot(String)
        case unclosedBrace
        case emptyTemplate
    }

    public init(parsing text: String) throws(ParseError) {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { throw .unclosedBrace }
            let name = String(rest[rest.index(after: open)..<close]).trimmingWhitespace()
            guard let slot = Slot(rawValue: name) else { throw .unknownSlot(name) }
            if !literal.isEmpty { parts.append(.text(literal)) }
            literal = ""
            parts.append(.slot(slot))
            rest = rest[rest.index(after: close)...]
        }
        if rest.contains("}") { throw .unclosedBrace }
        literal += rest
        if !literal.isEmpty { parts.append(.text(literal)) }
        guard !text.trimmingWhitespaceAndNewlines().isEmpty else { throw .emptyTemplate }
        self.parts = parts
        self.source = text
    }

    /// Fills the template; nil when a slot it needs has no value in this conversation.
    public func render(_ value: (Slot) -> String?) -> String? {
        var output = ""
        for part in parts {
            switch part {
            case .text(let text): output += text
            case .slot(let slot):
                guard let filled = value(slot) else { return nil }
                output += filled
            }
        }
        return output
    }
}
