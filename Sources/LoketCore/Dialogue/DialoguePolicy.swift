/// A reply kind the policy proposes, with its reason and, for `ask_info`, what to ask for.
struct Candidate: Sendable, Equatable {
    var kind: ReplyKind
    var why: String
    var topic: InfoTopic?
}

/// Decides which reply kinds fit next, best first, from the stage and what the citizen just wrote.
struct DialoguePolicy: Sendable {
    let script: Script

    func candidates(for conversation: Conversation) -> [Candidate] {
        guard let understanding = answering(conversation) else {
            return [Candidate(kind: .greeting, why: Catalogue.Why.openConversation)] + continuation(conversation)
        }
        return answers(understanding, conversation) + continuation(conversation)
    }

    /// What the next reply answers: the last message, or after a nudge the question still pending.
    private func answering(_ conversation: Conversation) -> Understanding? {
        guard let last = conversation.lastUnderstanding else { return nil }
        if last.intent == .nudge { return conversation.pending ?? last }
        return last
    }

    /// Reply kinds that answer what the citizen is waiting for; empty when nothing in particular is awaited.
    /// Asking back (`ask_info`, `clarify`) always counts as taking the question up.
    func expected(for conversation: Conversation) -> Set<ReplyKind> {
        guard let understanding = answering(conversation) else { return [.greeting] }
        // A greeting is answered by one (or straight by an offer of help); other social messages leave it open.
        if understanding.intent == .greet { return [.greeting, .anythingElse, .farewell, .askInfo, .clarify] }
        guard !Conversation.socialIntents.contains(understanding.intent) else { return [] }
        if understanding.intent == .provideInfo { return [] }
        return Set(answers(understanding, conversation).map(\.kind)).union([.askInfo, .clarify])
            .union(Self.alsoAnswering[understanding.intent] ?? [])
    }

    /// Replies that take a question up although the policy would not suggest them first (a status answered with
    /// a follow-up promise, a duration with the completion date).
    private static let alsoAnswering: [Intent: Set<ReplyKind>] = [
        .askStatus: [.statusInfo, .complaintFollowup, .complaintAck],
        .askDuration: [.durationInfo, .documentsComplete, .statusInfo, .complaintFollowup],
        .askRequirements: [.requirementsInfo, .askDocuments, .documentsIncomplete],
        .requestService: [.askDocuments, .requirementsInfo, .durationInfo, .costInfo],
        .askCost: [.costInfo],
        .askHours: [.hoursInfo, .locationInfo],
        .askLocation: [.locationInfo, .hoursInfo],
        .provideDocuments: [.checkDocuments, .documentsComplete, .documentsIncomplete, .receipt],
        .complaint: [.complaintAck, .complaintFollowup, .statusInfo],
    ]

    /// The intent-specific candidates, best first, before the stage's continuation.
    private func answers(_ understanding: Understanding, _ conversation: Conversation) -> [Candidate] {
        let serviceName = conversation.serviceID.flatMap { script.service(id: $0)?.name }
        typealias Why = Catalogue.Why
        var list: [Candidate] = []
        func add(_ kind: ReplyKind, _ why: String, _ topic: InfoTopic? = nil) {
            list.append(Candidate(kind: kind, why: why, topic: topic))
        }
        func needService() { add(.askInfo, Why.unknownService, .service) }
        let inComplaint = conversation.stage == .complaint || conversation.stage == .complaintFollowup

        switch understanding.intent {
        case .askStatus where inComplaint, .askDuration where inComplaint:
            add(.complaintFollowup, Why.complaintFollowup)
            add(.complaintAck, Why.complaint)
        case .greet:
            if conversation.stage.isClosing { add(.farewell, Why.farewell) } else { add(.greeting, Why.greet) }
        case .requestService:
            if let serviceName {
                add(.askDocuments, Why.requestService(serviceName))
                add(.requirementsInfo, Why.requirementsProactive(serviceName))
                add(.durationInfo, Why.durationProactive(serviceName))
            } else {
                needService()
            }
        case .askRequirements:
            if serviceName == nil { needService() }
            add(.requirementsInfo, Why.askRequirements)
            if let serviceName { add(.durationInfo, Why.durationProactive(serviceName)) }
        case .askDuration:
            if serviceName == nil { needService() }
            add(.durationInfo, Why.askDuration)
        case .askCost:
            if serviceName == nil { needService() }
            add(.costInfo, Why.askCost)
        case .askHours:
            add(.hoursInfo, Why.askHours)
            add(.locationInfo, Why.askLocation)
        case .askLocation:
            add(.locationInfo, Why.askLocation)
            add(.hoursInfo, Why.askHours)
        case .askStatus:
            if conversation.quotedReceipt != nil {
                add(.statusInfo, Why.askStatusWithReceipt)
            } else {
                add(.askInfo, Why.askStatusNoReceipt, .receipt)
            }
        case .provideDocuments:
            add(.checkDocuments, Why.documentsProvided)
            add(.documentsComplete, Why.documentsChecked)
            add(.documentsIncomplete, Why.documentsMissing)
        case .provideInfo:
            if conversation.stage == .complaint || conversation.stage == .complaintFollowup {
                add(.complaintFollowup, Why.complaintFollowup)
            } else if conversation.stage == .statusCheck, conversation.quotedReceipt != nil {
                add(.statusInfo, Why.askStatusWithReceipt)
            } else if let serviceName, conversation.stage == .serviceRequested {
                add(.askDocuments, Why.provideInfoService)
                add(.requirementsInfo, Why.requirementsProactive(serviceName))
            }
        case .deny:
            // A no right after "anything else?" closes, whatever stage the documents are in.
            if conversation.offeredFurtherHelp, conversation.lastOfficerKinds.contains(.anythingElse) {
                if conversation.stage == .documentsComplete { add(.receipt, Why.nothingElse) }
                add(.farewell, Why.farewell)
            } else if conversation.stage.awaitsDocuments {
                add(.requirementsInfo, Why.documentsNotYet)
                add(.documentsIncomplete, Why.documentsMissing)
            } else if conversation.stage == .documentsComplete {
                add(.receipt, Why.nothingElse)
                add(.farewell, Why.farewell)
            } else if conversation.offeredFurtherHelp || conversation.stage == .receiptGiven {
                add(.farewell, Why.farewell)
            }
        case .confirm:
            if conversation.offeredFurtherHelp {
                add(.askInfo, Why.confirmMore, .question)
            } else if conversation.stage == .complaint {
                add(.complaintFollowup, Why.complaintFollowup)
            }
        case .thanks:
            // "Terima kasih, sampai jumpa": a thanks that also takes leave is answered with the goodbye.
            let leaving = understanding.intents.contains { $0.intent == .goodbye && $0.confidence >= 0.3 }
            if conversation.stage == .documentsComplete {
                add(.receipt, Why.nothingElse)
                if leaving { add(.farewell, Why.farewell) }
            } else if leaving {
                add(.farewell, Why.farewell)
            } else if conversation.stage == .documentsComplete {
                add(.receipt, Why.nothingElse)
            } else if conversation.stage == .receiptGiven || conversation.stage == .closed
                || (conversation.offeredFurtherHelp && conversation.stage != .complaint)
            {
                add(.farewell, Why.closeAfterReceipt)
            } else {
                add(.anythingElse, Why.thanksOpen)
            }
        case .goodbye:
            if conversation.stage == .documentsComplete { add(.receipt, Why.nothingElse) }
            add(.farewell, Why.farewell)
        case .complaint:
            add(.complaintAck, Why.complaint)
            if conversation.quotedReceipt == nil { add(.askInfo, Why.complaintReference, .complaintReference) }
            add(.complaintFollowup, Why.complaintFollowup)
        case .unknown:
            add(.clarify, Why.unclear, .question)
        case .nudge:
            // Nothing pending: the citizen is still waiting to be greeted or heard.
            if conversation.officerGreeted { add(.askInfo, Why.unknownService, .service) } else { add(.greeting, Why.greet) }
        default:
            if let reply = script.intents.first(where: { $0.id == understanding.intent })?.reply {
                add(reply, Why.scriptIntent(understanding.intent.rawValue))
            } else {
                add(.clarify, Why.unclear, .question)
            }
        }
        return list
    }

    /// The next step of the stage the conversation is in, so an information answer leads back to the main track.
    private func continuation(_ conversation: Conversation) -> [Candidate] {
        typealias Why = Catalogue.Why
        let serviceName = conversation.serviceID.flatMap { script.service(id: $0)?.name } ?? ""
        switch conversation.stage {
        case .greeting:
            return conversation.officerGreeted
                ? [Candidate(kind: .askInfo, why: Why.unknownService, topic: .service)]
                : [Candidate(kind: .greeting, why: Why.openConversation),
                   Candidate(kind: .askInfo, why: Why.unknownService, topic: .service)]
        case .identifyingNeed:
            return [Candidate(kind: .askInfo, why: Why.unknownService, topic: .service)]
        case .serviceRequested:
            return [Candidate(kind: .askDocuments, why: Why.requestService(serviceName)),
                    Candidate(kind: .requirementsInfo, why: Why.requirementsProactive(serviceName))]
        case .documentsRequested, .documentsIncomplete:
            return [Candidate(kind: .requirementsInfo, why: Why.continueStage),
                    Candidate(kind: .anythingElse, why: Why.offerMoreHelp)]
        case .documentsProvided:
            return [Candidate(kind: .checkDocuments, why: Why.documentsProvided),
                    Candidate(kind: .documentsComplete, why: Why.documentsChecked)]
        case .documentsChecking:
            return [Candidate(kind: .documentsComplete, why: Why.documentsChecked),
                    Candidate(kind: .documentsIncomplete, why: Why.documentsMissing)]
        case .documentsComplete:
            return [Candidate(kind: .receipt, why: Why.nothingElse),
                    Candidate(kind: .anythingElse, why: Why.offerMoreHelp)]
        case .receiptGiven, .closed:
            return [Candidate(kind: .farewell, why: Why.closeAfterReceipt),
                    Candidate(kind: .anythingElse, why: Why.offerMoreHelp)]
        case .complaint:
            return [Candidate(kind: .complaintFollowup, why: Why.complaintFollowup),
                    Candidate(kind: .anythingElse, why: Why.offerMoreHelp)]
        case .complaintFollowup, .statusCheck:
            return [Candidate(kind: .anythingElse, why: Why.offerMoreHelp),
                    Candidate(kind: .farewell, why: Why.farewell)]
        }
    }
}
