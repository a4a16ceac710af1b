#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An intent id: what a citizen message is about. The script may add ids beyond the built-in ones.
public struct Intent: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: Intent, rhs: Intent) -> Bool { lhs.rawValue < rhs.rawValue }

    public static let greet = Intent("greet")
    public static let requestService = Intent("request_service")
    public static let askRequirements = Intent("ask_requirements")
    public static let askDuration = Intent("ask_duration")
    public static let askCost = Intent("ask_cost")
    public static let askStatus = Intent("ask_status")
    public static let askHours = Intent("ask_hours")
    public static let askLocation = Intent("ask_location")
    public static let provideDocuments = Intent("provide_documents")
    public static let provideInfo = Intent("provide_info")
    public static let confirm = Intent("confirm")
    public static let deny = Intent("deny")
    public static let thanks = Intent("thanks")
    public static let goodbye = Intent("goodbye")
    public static let complaint = Intent("complaint")
    public static let unknown = Intent("unknown")
    /// "Halo? Masih ada petugas?": the citizen is still waiting for an answer; the reply apologises for the wait
    /// and answers the pending question. Optional in a script.
    public static let nudge = Intent("nudge")

    /// The minimum vocabulary every script must define (DESIGN.md); other code depends on these ids.
    public static let required: [Intent] = [
        .greet, .requestService, .askRequirements, .askDuration, .askCost, .askStatus, .askHours, .askLocation,
        .provideDocuments, .provideInfo, .confirm, .deny, .thanks, .goodbye, .complaint, .unknown,
    ]

    /// The built-in intents that ask the officer a question.
    public static let questions: [Intent] = [
        .askRequirements, .askDuration, .askCost, .askStatus, .askHours, .askLocation,
    ]
}

/// A reply kind id: what an officer message does. Only kinds the dialogue policy knows may have templates.
public struct ReplyKind: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: ReplyKind, rhs: ReplyKind) -> Bool { lhs.rawValue < rhs.rawValue }

    public static let greeting = ReplyKind("greeting")
    public static let askDocuments = ReplyKind("ask_documents")
    public static let requirementsInfo = ReplyKind("requirements_info")
    public static let checkDocuments = ReplyKind("check_documents")
    public static let documentsComplete = ReplyKind("documents_complete")
    public static let documentsIncomplete = ReplyKind("documents_incomplete")
    public static let receipt = ReplyKind("receipt")
    public static let anythingElse = ReplyKind("anything_else")
    public static let farewell = ReplyKind("farewell")
    public static let durationInfo = ReplyKind("duration_info")
    public static let costInfo = ReplyKind("cost_info")
    public static let statusInfo = ReplyKind("status_info")
    public static let hoursInfo = ReplyKind("hours_info")
    public static let locationInfo = ReplyKind("location_info")
    public static let askInfo = ReplyKind("ask_info")
    public static let complaintAck = ReplyKind("complaint_ack")
    public static let complaintFollowup = ReplyKind("complaint_followup")
    public static let clarify = ReplyKind("clarify")
    /// An officer message that does nothing recognisable ("ok"): it moves nothing. Never suggested, so not in
    /// `all`; a script may give it examples (`[reply.other]`) but no templates.
    public static let other = ReplyKind("other")

    public static let all: [ReplyKind] = [
        .greeting, .askDocuments, .requirementsInfo, .checkDocuments, .documentsComplete, .documentsIncomplete,
        .receipt, .anythingElse, .farewell, .durationInfo, .costInfo, .statusInfo, .hoursInfo, .locationInfo,
        .askInfo, .complaintAck, .complaintFollowup, .clarify,
    ]
}

/// One intent of the script: its training examples, keywords and (for script-defined intents) its reply.
public struct IntentDefinition: Sendable {
    public var id: Intent
    public var examples: [String]
    /// Phrases that, when present as whole words, are strong evidence for this intent.
    public var keywords: [String]
    /// The reply kind that answers this intent; required for intents outside the built-in vocabulary.
    public var reply: ReplyKind?
}

/// A service of the office's catalogue.
public struct Service: Sendable, Equatable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var requirements: [String]
    public var durationDays: Int
    public var fee: String
}

/// The office's own facts, used in replies and for dates.
public struct OfficeFacts: Sendable {
    public var name: String
    public var hours: String
    public var address: String
    public var contact: String
    public var timeZone: OfficeTimeZone
    public var holidays: Set<CivilDate>
    public var receiptPrefix: String
    /// Hours within which a complaint gets its promised follow-up.
    public var complaintFollowupHours: Int
    /// When chats are answered; `hours` is how the script says it to citizens.
    public var schedule: OfficeSchedule = .always
}

/// Word lists the coach checks officer replies against.
public struct CoachRules: Sendable {
    /// A term a citizen may not know, and the phrases that count as explaining it.
    public struct Jargon: Sendable {
        public var term: String
        public var explanations: [String]
    }

    public var courtesy: [String]
    public var apology: [String]
    public var vague: [String]
    public var nextStep: [String]
    public var rude: [String]
    public var jargon: [Jargon]
    /// Insults and slurs, single words; spelling variants ("b0doh", "goblog") are caught too.
    public var insults: [String] = []
    /// Talking down to the citizen ("masa gitu aja nggak tahu", "baca dong").
    public var condescension: [String] = []
    /// Sending the citizen elsewhere; forgiven when the reply says who and how (a contact or a referral phrase).
    public var buckPassing: [String] = []
    /// Phrases that say who and how when a citizen is referred elsewhere.
    public var referral: [String] = []
    /// Requests for money outside the official channel, wrong on their own.
    public var unofficialPayment: [String] = []
    /// Phrases that make a mention of money a request for a bribe ("biar cepat"), with `moneyWords`.
    public var speedMoney: [String] = []
    public var moneyWords: [String] = []
    /// Phrases that offer further help, so a farewell that carries one closes properly.
    public var offerHelp: [String] = ["ada lagi", "jangan ragu", "kebutuhan lain", "hal lain"]
    /// Words that address the citizen: honorifics and titles; a name after them counts too.
    public var address: [String] = ["bapak", "ibu", "pak", "bu"]
}

/// A conversation script: everything the engine knows about an office, loaded from TOML.
public struct Script: Sendable {
    /// Where the script came from, for messages (`default-script.toml` or the `--script` path).
    public var source: String
    public var office: OfficeFacts
    public var intents: [IntentDefinition]
    public var services: [Service]
    public var templates: [ReplyKind: [ReplyTemplate]]
    /// Officer-side example messages per reply kind, for recognising the kind of free text.
    public var replyExamples: [ReplyKind: [String]]
    /// Word replacements applied during normalisation (slang, abbreviations, common typos).
    public var slang: [String: String]
    /// What `ask_info` asks for, by topic (`service`, `receipt`, `complaint_reference`, `question`).
    public var infoRequests: [String: String]
    /// Below this confidence a message is `unknown`.
    public var confidenceThreshold: Double
    public var coach: CoachRules

    public var calendar: OfficeCalendar {
        // An always-open schedule says nothing about the counter's hours: deadlines are then not moved.
        let hours = office.schedule == .always ? [:] : Dictionary(uniqueKeysWithValues: office.schedule.periods.enumerated()
            .filter { !$0.element.isEmpty }
            .map { ($0.offset, $0.element.map { $0.start..<$0.end }) })
        return OfficeCalendar(timeZone: office.timeZone, holidays: office.holidays, openingHours: hours)
    }

    public func service(id: String) -> Service? { services.first { $0.id == id } }
}
