#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a conversation stands in the counter's work (the model dialogue, plus complaint and status tracks).
public enum Stage: String, Sendable, CaseIterable {
    case greeting
    case identifyingNeed = "identifying_need"
    case serviceRequested = "service_requested"
    case documentsRequested = "documents_requested"
    case documentsProvided = "documents_provided"
    case documentsChecking = "documents_checking"
    case documentsIncomplete = "documents_incomplete"
    case documentsComplete = "documents_complete"
    case receiptGiven = "receipt_given"
    case closed
    case complaint
    case complaintFollowup = "complaint_followup"
    case statusCheck = "status_check"

    /// Stages where the citizen is still expected to hand over documents.
    var awaitsDocuments: Bool { self == .documentsRequested || self == .documentsIncomplete || self == .serviceRequested }

    /// Stages after the documents were found complete: what is left is the receipt and the goodbye.
    var isClosing: Bool { self == .documentsComplete || self == .receiptGiven || self == .closed }
}

/// What the officer asked the citizen for and is waiting to hear.
public enum InfoTopic: String, Sendable {
    case service
    case receipt
    case complaintReference = "complaint_reference"
    case question
}

/// One conversation's state: stage, topic service, the citizen's name, receipt, and what is awaited.
public struct Conversation: Sendable {
    public let id: String
    public internal(set) var stage: Stage = .greeting
    public internal(set) var serviceID: String?
    public internal(set) var name: String?
    public internal(set) var honorific: Honorific?
    /// The receipt number issued to this citizen (reserved when first suggested, then kept).
    public internal(set) var receiptNumber: String?
    /// A receipt number the citizen quoted (status checks, complaints).
    public internal(set) var quotedReceipt: String?
    public internal(set) var officerGreeted = false
    /// The officer offered further help ("ada lagi?") and no new question came since.
    public internal(set) var offeredFurtherHelp = false
    public internal(set) var awaiting: InfoTopic?
    public internal(set) var lastUnderstanding: Understanding?
    /// Time of the last citizen message; replies are written for that moment (salam, dates).
    public internal(set) var lastCitizenTime: Date?
    public internal(set) var sentKinds: [ReplyKind: Int] = [:]
    /// The first citizen message the officer has not answered yet.
    public internal(set) var unansweredSince: Date?
    public internal(set) var officerReplies = 0
    /// Reply kinds the officer sent since the citizen last wrote: the next suggestions do not repeat them.
    public internal(set) var kindsSinceCitizen: Set<ReplyKind> = []
    /// Every act of the officer's last reply (what a short answer such as "tidak" answers).
    public internal(set) var lastOfficerKinds: Set<ReplyKind> = []
    /// The officer offered further help at some point, even if the citizen asked more since.
    public internal(set) var everOfferedHelp = false
    /// The officer apologised since the citizen complained or nudged.
    public internal(set) var apologised = false
    /// Every word the citizen wrote, normalised (a term the citizen used first needs no explaining).
    public internal(set) var citizenWords: Set<String> = []
    /// The citizen's last request or question that no reply has answered yet; a nudge ("halo?") repeats it.
    public internal(set) var pending: Understanding?

    public init(id: String) {
        self.id = id
    }

    public var honorificText: String { honorific?.rawValue ?? "Bapak/Ibu" }

    /// Follows a conversation whose engine runs elsewhere (the hub): its stage, service and last intent as the hub
    /// saw them, and whether the citizen now waits for an answer.
    public mutating func mirror(stage: Stage?, serviceID: String?, intent: Intent?, citizenWroteAt time: Date?) {
        if let stage { self.stage = stage }
        if let serviceID { self.serviceID = serviceID }
        if let intent {
            lastUnderstanding = Understanding(intent: intent, confidence: 1, intents: [(intent, 1)], entities: Entities())
        }
        if let time {
            lastCitizenTime = time
            if unansweredSince == nil { unansweredSince = time }
        } else {
            unansweredSince = nil
        }
    }

    /// Gives back the receipt number issued earlier, when the conversation is rebuilt from stored messages.
    public mutating func restore(receiptNumber: String) {
        self.receiptNumber = receiptNumber
    }

    /// The citizen understood from an incoming message changes the stage and what the conversation is about.
    mutating func applyCitizen(_ understanding: Understanding, at time: Date) {
        lastUnderstanding = understanding
        lastCitizenTime = time
        if unansweredSince == nil { unansweredSince = time }
        kindsSinceCitizen = []
        citizenWords.formUnion(understanding.words)
        if !Self.socialIntents.contains(understanding.intent) { pending = understanding }
        let entities = understanding.entities
        if let name = entities.name { self.name = name }
        if let honorific = entities.honorific { self.honorific = honorific }
        if let receipt = entities.receiptNumber { quotedReceipt = receipt }
        let previousService = serviceID
        if let service = entities.serviceID { serviceID = service }
        if awaiting == .service, entities.serviceID != nil { awaiting = nil }
        if awaiting == .receipt || awaiting == .complaintReference, entities.receiptNumber != nil { awaiting = nil }

        switch understanding.intent {
        case .requestService, .askRequirements, .askDuration, .askCost:
            offeredFurtherHelp = false
            if understanding.intent == .requestService, serviceID == nil {
                stage = .identifyingNeed
            } else if serviceID != nil,
                [.greeting, .identifyingNeed, .closed, .receiptGiven, .statusCheck].contains(stage)
                    || (serviceID != previousService && previousService != nil)
            {
                stage = .serviceRequested
            }
        case .askHours, .askLocation:
            offeredFurtherHelp = false
        case .askStatus:
            offeredFurtherHelp = false
            if stage != .complaint && stage != .complaintFollowup { stage = .statusCheck }
        case .provideDocuments:
            stage = .documentsProvided
        case .complaint:
            offeredFurtherHelp = false
            if stage != .complaint && stage != .complaintFollowup { apologised = false }
            if stage != .complaintFollowup { stage = .complaint }
        case .nudge:
            // Waiting is a grievance of its own: the reply owes an apology, and the question stays pending.
            apologised = false
        case .provideInfo:
            if stage == .identifyingNeed || stage == .greeting, serviceID != nil { stage = .serviceRequested }
        default:
            break
        }
    }

    /// Intents that ask nothing of their own; they never replace the pending question.
    static let socialIntents: Set<Intent> = [.greet, .thanks, .confirm, .deny, .goodbye, .nudge, .unknown]

    /// What the officer sent moves the conversation on: every act is recorded, the main one moves the stage.
    mutating func applyOfficer(
        _ reading: OfficerReading, awaiting topic: InfoTopic?, answered: Bool, apologising: Bool
    ) {
        let kinds = reading.kinds
        for kind in kinds { sentKinds[kind, default: 0] += 1 }
        kindsSinceCitizen.formUnion(kinds)
        lastOfficerKinds = Set(kinds)
        officerReplies += 1
        unansweredSince = nil
        if answered { pending = nil }
        if apologising { apologised = true }
        if kinds.contains(.greeting) { officerGreeted = true }
        if reading.offersHelp {
            offeredFurtherHelp = true
            everOfferedHelp = true
        }
        let kind = reading.main
        // A complaint stays a complaint until a follow-up names when the citizen hears back.
        if stage == .complaint, kind != .complaintAck, kind != .farewell,
            kind != .complaintFollowup || !reading.facts.contains(.deadline)
        {
            if kind == .askInfo || kind == .clarify { awaiting = topic ?? .question }
            return
        }
        // Nothing recognisable ("ok") moves nothing.
        if kind == .other { return }
        applyOfficer(kind: kind, awaiting: topic)
        // A question asked beside another act ("Mohon maaf, Pak. Kapan kejadiannya?") still awaits its answer.
        if kind != .askInfo, kind != .clarify, reading.kinds.contains(.askInfo) || reading.kinds.contains(.clarify) {
            awaiting = topic ?? .question
        }
    }

    private mutating func applyOfficer(kind: ReplyKind, awaiting topic: InfoTopic?) {
        switch kind {
        case .greeting:
            officerGreeted = true
        case .askDocuments:
            stage = .documentsRequested
        case .requirementsInfo:
            if [.greeting, .identifyingNeed, .serviceRequested].contains(stage) { stage = .documentsRequested }
        case .checkDocuments:
            stage = .documentsChecking
        case .documentsComplete:
            stage = .documentsComplete
            offeredFurtherHelp = true
            everOfferedHelp = true
        case .documentsIncomplete:
            stage = .documentsIncomplete
        case .receipt:
            stage = .receiptGiven
            offeredFurtherHelp = true
            everOfferedHelp = true
        case .farewell:
            stage = .closed
        case .complaintAck:
            stage = .complaint
            awaiting = quotedReceipt == nil ? .complaintReference : nil
        case .complaintFollowup:
            stage = .complaintFollowup
        case .askInfo, .clarify:
            awaiting = topic ?? .question
        default:
            break
        }
        if ![.askInfo, .clarify, .complaintAck].contains(kind) { awaiting = nil }
    }
}
