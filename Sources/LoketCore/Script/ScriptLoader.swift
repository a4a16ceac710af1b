#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Loads and checks conversation scripts; every problem becomes a `DataFileError` naming file, line and key.
public enum ScriptLoader {
    public static let defaultScriptName = "default-script.toml"

    /// The script bundled with LoketCore (`Sources/LoketCore/Resources/default-script.toml`, built into the binary).
    public static func loadDefault() throws(DataFileError) -> Script {
        try parse(BundledFiles.defaultScript, source: defaultScriptName)
    }

    public static func load(contentsOf path: String, displayName: String? = nil) throws(DataFileError) -> Script {
        try parse(try DataFile.read(path, displayName: displayName), source: displayName ?? path)
    }

    public static func parse(_ text: String, source: String) throws(DataFileError) -> Script {
        try ScriptDecoder(source: source).decode(try DataFile.parseTOML(text, source: source))
    }
}

/// Turns a parsed TOML table into a `Script`, checking vocabulary, slots and types along the way.
private struct ScriptDecoder {
    let source: String

    func fail(_ key: String, _ line: Int?, _ message: String) -> DataFileError {
        DataFileError(file: source, line: line, key: key, message: message)
    }

    func decode(_ root: TOMLTable) throws(DataFileError) -> Script {
        let known: Set<String> = ["office", "classifier", "normalise", "info_requests", "intent", "service", "reply", "coach"]
        for (key, value) in root.entries where !known.contains(key) {
            throw fail(key, value.line, "unknown section; expected one of \(known.sorted().joined(separator: ", "))")
        }
        let office = try decodeOffice(try table(root, "office", in: ""))
        let threshold = try root["classifier"].map { (value) throws(DataFileError) in
            let classifier = try asTable(value, "classifier")
            return try number(classifier, "confidence_threshold", in: "classifier", range: 0...1)
        } ?? 0.45
        let slang = try root["normalise"].map { (value) throws(DataFileError) in
            try stringMap(try table(try asTable(value, "normalise"), "slang", in: "normalise"), "normalise.slang")
        } ?? [:]
        let infoRequests = try stringMap(try table(root, "info_requests", in: ""), "info_requests")
        for topic in ["service", "receipt", "complaint_reference", "question"] where infoRequests[topic] == nil {
            throw fail("info_requests.\(topic)", root["info_requests"]?.line, "missing; ask_info needs it")
        }
        let (templates, replyExamples) = try decodeReplies(try table(root, "reply", in: ""), rootLine: root["reply"]?.line)
        let coach = try decodeCoach(try table(root, "coach", in: ""))
        let intents = try decodeIntents(root["intent"])
        let services = try decodeServices(root["service"])
        return Script(
            source: source, office: office, intents: intents, services: services, templates: templates,
            replyExamples: replyExamples, slang: slang, infoRequests: infoRequests, confidenceThreshold: threshold,
            coach: coach)
    }

    // MARK: Sections

    private func decodeCoach(_ coach: TOMLTable) throws(DataFileError) -> CoachRules {
        var jargon: [CoachRules.Jargon] = []
        for item in try array(coach, "jargon", in: "coach") {
            guard let entry = item.table, let term = entry["term"]?.string, !term.isEmpty else {
                throw fail("coach.jargon", item.line, "expected { term = \"…\", explain = [\"…\"] }")
            }
            jargon.append(.init(term: term, explanations: try strings(entry, "explain", in: "coach.jargon.\(term)", required: true)))
        }
        var rules = CoachRules(
            courtesy: try strings(coach, "courtesy", in: "coach", required: true),
            apology: try strings(coach, "apology", in: "coach", required: true),
            vague: try strings(coach, "vague", in: "coach", required: true),
            nextStep: try strings(coach, "next_step", in: "coach", required: true),
            rude: try strings(coach, "rude", in: "coach", required: true), jargon: jargon)
        // Optional lists: a script without them simply has no such check.
        rules.insults = try strings(coach, "insults", in: "coach", required: false)
        rules.condescension = try strings(coach, "condescension", in: "coach", required: false)
        rules.buckPassing = try strings(coach, "buck_passing", in: "coach", required: false)
        rules.referral = try strings(coach, "referral", in: "coach", required: false)
        rules.unofficialPayment = try strings(coach, "unofficial_payment", in: "coach", required: false)
        rules.speedMoney = try strings(coach, "speed_money", in: "coach", required: false)
        rules.moneyWords = try strings(coach, "money_words", in: "coach", required: false)
        let offerHelp = try strings(coach, "offer_help", in: "coach", required: false)
        if !offerHelp.isEmpty { rules.offerHelp = offerHelp }
        let address = try strings(coach, "address", in: "coach", required: false)
        if !address.isEmpty { rules.address = address }
        return rules
    }

    private func decodeOffice(_ office: TOMLTable) throws(DataFileError) -> OfficeFacts {
        let zoneName = try string(office, "time_zone", in: "office")
        guard let zone = OfficeTimeZone(identifier: zoneName) else {
            throw fail("office.time_zone", office["time_zone"]?.line, "unknown time zone '\(zoneName)'; expected e.g. Asia/Jakarta")
        }
        var holidays = Set<CivilDate>()
        for item in try array(office, "holidays", in: "office") {
            guard case .date(let year, let month, let day) = item.kind else {
                throw fail("office.holidays", item.line, "expected a date like 2026-12-25, found a \(item.typeName)")
            }
            holidays.insert(CivilDate(year: year, month: month, day: day))
        }
        let prefix = try string(office, "receipt_prefix", in: "office")
        guard !prefix.isEmpty, prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw fail("office.receipt_prefix", office["receipt_prefix"]?.line, "expected letters and digits only")
        }
        return OfficeFacts(
            name: try string(office, "name", in: "office"),
            hours: try string(office, "hours", in: "office"),
            address: try string(office, "address", in: "office"),
            contact: try string(office, "contact", in: "office"),
            timeZone: zone, holidays: holidays, receiptPrefix: prefix,
            complaintFollowupHours: Int(try number(office, "complaint_followup_hours", in: "office", range: 1...720)),
            schedule: try decodeSchedule(office["opening"]))
    }

    /// `[office.opening]`: a weekday name (senin … minggu) to its periods; a script without it is always open.
    private func decodeSchedule(_ value: TOMLValue?) throws(DataFileError) -> OfficeSchedule {
        guard let value else { return .always }
        let opening = try asTable(value, "office.opening")
        var periods: [[OfficeSchedule.Period]] = Array(repeating: [], count: 7)
        for (key, entry) in opening.entries {
            guard let day = OfficeSchedule.dayNames.firstIndex(of: key) else {
                throw fail("office.opening.\(key)", entry.line, "unknown day; expected one of \(OfficeSchedule.dayNames.joined(separator: ", "))")
            }
            let text = try asString(entry, "office.opening.\(key)")
            guard let parsed = OfficeSchedule.parsePeriods(text) else {
                throw fail("office.opening.\(key)", entry.line, "expected times like \"08:00-15:00\" or \"08:00-11:30, 13:00-15:00\"")
            }
            periods[day] = parsed
        }
        return OfficeSchedule(periods: periods)
    }

    private func decodeIntents(_ value: TOMLValue?) throws(DataFileError) -> [IntentDefinition] {
        guard let value, let items = value.array else {
            throw fail("intent", value?.line, "expected [[intent]] entries")
        }
        var intents: [IntentDefinition] = []
        for item in items {
            let entry = try asTable(item, "intent")
            let id = Intent(try string(entry, "id", in: "intent"))
            let key = "intent.\(id)"
            if intents.contains(where: { $0.id == id }) { throw fail(key, item.line, "intent defined twice") }
            let examples = try strings(entry, "examples", in: key, required: false)
            if examples.isEmpty {
                throw fail("\(key).examples", entry["examples"]?.line ?? item.line, "an intent needs at least one example")
            }
            let keywords = try strings(entry, "keywords", in: key, required: false)
            var reply: ReplyKind?
            if let replyValue = entry["reply"] {
                let name = try asString(replyValue, "\(key).reply")
                guard ReplyKind.all.contains(ReplyKind(name)) else {
                    throw fail("\(key).reply", replyValue.line, "unknown reply kind '\(name)'")
                }
                reply = ReplyKind(name)
            } else if !Intent.required.contains(id), id != .nudge {
                throw fail("\(key).reply", item.line, "an intent outside the built-in vocabulary needs a reply kind")
            }
            intents.append(IntentDefinition(id: id, examples: examples, keywords: keywords, reply: reply))
        }
        for required in Intent.required where !intents.contains(where: { $0.id == required }) {
            throw fail("intent.\(required)", value.line, "missing; every script must define this intent")
        }
        return intents
    }

    private func decodeServices(_ value: TOMLValue?) throws(DataFileError) -> [Service] {
        guard let value, let items = value.array, !items.isEmpty else {
            throw fail("service", value?.line, "expected [[service]] entries")
        }
        var services: [Service] = []
        for item in items {
            let entry = try asTable(item, "service")
            let id = try string(entry, "id", in: "service")
            let key = "service.\(id)"
            if services.contains(where: { $0.id == id }) { throw fail(key, item.line, "service defined twice") }
            let requirements = try strings(entry, "requirements", in: key, required: true)
            if requirements.isEmpty { throw fail("\(key).requirements", entry["requirements"]?.line, "list at least one document") }
            services.append(
                Service(
                    id: id, name: try string(entry, "name", in: key),
                    aliases: try strings(entry, "aliases", in: key, required: true),
                    requirements: requirements,
                    durationDays: Int(try number(entry, "duration_days", in: key, range: 0...365)),
                    fee: try string(entry, "fee", in: key)))
        }
        return services
    }

    private func decodeReplies(
        _ replies: TOMLTable, rootLine: Int?
    ) throws(DataFileError) -> ([ReplyKind: [ReplyTemplate]], [ReplyKind: [String]]) {
        var templates: [ReplyKind: [ReplyTemplate]] = [:]
        var examples: [ReplyKind: [String]] = [:]
        for (name, value) in replies.entries {
            let kind = ReplyKind(name)
            let key = "reply.\(name)"
            if kind == .other {
                let entry = try asTable(value, key)
                if let extra = entry["templates"] {
                    throw fail("\(key).templates", extra.line, "'other' is never suggested: give it examples only")
                }
                examples[kind] = try strings(entry, "examples", in: key, required: false)
                continue
            }
            guard ReplyKind.all.contains(kind) else {
                throw fail(key, value.line, "unknown reply kind '\(name)'; known kinds: \(ReplyKind.all.map(\.rawValue).joined(separator: ", "))")
            }
            let entry = try asTable(value, key)
            guard let list = entry["templates"]?.array, !list.isEmpty else {
                throw fail("\(key).templates", entry["templates"]?.line ?? value.line, "expected a non-empty list of templates")
            }
            var parsed: [ReplyTemplate] = []
            for (index, item) in list.enumerated() {
                let text = try asString(item, "\(key).templates[\(index + 1)]")
                do {
                    parsed.append(try ReplyTemplate(parsing: text))
                } catch {
                    let detail = switch error {
                    case .unknownSlot(let slot):
                        "unknown slot {\(slot)}; known slots: \(Slot.allCases.map { "{\($0.rawValue)}" }.joined(separator: " "))"
                    case .unclosedBrace: "a '{' or '}' has no partner"
                    case .emptyTemplate: "the template is empty"
                    }
                    throw fail("\(key).templates[\(index + 1)]", item.line, detail)
                }
            }
            templates[kind] = parsed
            examples[kind] = try strings(entry, "examples", in: key, required: false)
        }
        for kind in ReplyKind.all where templates[kind] == nil {
            throw fail("reply.\(kind)", rootLine, "missing; every script must have templates for this reply kind")
        }
        return (templates, examples)
    }

    // MARK: Typed access

    private func asTable(_ value: TOMLValue, _ key: String) throws(DataFileError) -> TOMLTable {
        guard let table = value.table else { throw fail(key, value.line, "expected a table, found a \(value.typeName)") }
        return table
    }

    private func asString(_ value: TOMLValue, _ key: String) throws(DataFileError) -> String {
        guard let string = value.string else { throw fail(key, value.line, "expected a string, found a \(value.typeName)") }
        return string
    }

    private func qualified(_ key: String, _ parent: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }

    private func table(_ table: TOMLTable, _ key: String, in parent: String) throws(DataFileError) -> TOMLTable {
        guard let value = table[key] else { throw fail(qualified(key, parent), nil, "missing table") }
        return try asTable(value, qualified(key, parent))
    }

    private func string(_ table: TOMLTable, _ key: String, in parent: String) throws(DataFileError) -> String {
        guard let value = table[key] else { throw fail(qualified(key, parent), nil, "missing; expected a string") }
        let text = try asString(value, qualified(key, parent))
        guard !text.trimmingWhitespace().isEmpty else {
            throw fail(qualified(key, parent), value.line, "must not be empty")
        }
        return text
    }

    private func number(
        _ table: TOMLTable, _ key: String, in parent: String, range: ClosedRange<Double>
    ) throws(DataFileError) -> Double {
        guard let value = table[key] else { throw fail(qualified(key, parent), nil, "missing; expected a number") }
        guard let number = value.double else {
            throw fail(qualified(key, parent), value.line, "expected a number, found a \(value.typeName)")
        }
        guard range.contains(number) else {
            throw fail(qualified(key, parent), value.line, "expected a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    private func array(_ table: TOMLTable, _ key: String, in parent: String) throws(DataFileError) -> [TOMLValue] {
        guard let value = table[key] else { throw fail(qualified(key, parent), nil, "missing; expected a list") }
        guard let items = value.array else {
            throw fail(qualified(key, parent), value.line, "expected a list, found a \(value.typeName)")
        }
        return items
    }

    private func strings(
        _ table: TOMLTable, _ key: String, in parent: String, required: Bool
    ) throws(DataFileError) -> [String] {
        if table[key] == nil, !required { return [] }
        var result: [String] = []
        for item in try array(table, key, in: parent) {
            let text = try asString(item, qualified(key, parent))
            if text.trimmingWhitespace().isEmpty {
                throw fail(qualified(key, parent), item.line, "contains an empty string")
            }
            result.append(text)
        }
        return result
    }

    private func stringMap(_ table: TOMLTable, _ key: String) throws(DataFileError) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in table.entries { result[name] = try asString(value, "\(key).\(name)") }
        return result
    }
}
