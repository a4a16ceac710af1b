#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks the facts an officer reply states against the script: fee, processing time, opening hours, address,
/// contact and receipt number. A wrong fact misleads the citizen more than any wording could.
struct FactChecker: Sendable {
    /// A stated fact that contradicts the script, with the right one to quote.
    struct Mistake: Sendable, Equatable {
        var tip: String
    }

    private let office: OfficeFacts
    private let services: [(service: Service, aliases: [[String]])]
    /// Opening and closing times in the hours text, in minutes after midnight.
    private let openingTimes: Set<Int>
    /// The street name's words and the house number in the address.
    private let street: [String]
    private let houseNumber: String?
    /// Phone numbers (digits only) and email addresses in the contact text.
    private let phones: Set<String>
    private let emails: Set<String>
    private let receiptPrefix: String

    init(script: Script) {
        office = script.office
        services = script.services.map { service in
            (service, (service.aliases + [service.name, service.id]).map(Normalizer.words).filter { !$0.isEmpty })
        }
        openingTimes = Set(Self.clockTimes(in: Normalizer.words(script.office.hours)).map(\.minutes))
        let addressWords = Normalizer.words(script.office.address)
        if let jl = addressWords.firstIndex(where: { $0 == "jl" || $0 == "jalan" }) {
            street = Array(addressWords[(jl + 1)...].prefix { $0 != "no" && !$0.allSatisfy(\.isNumber) })
        } else {
            street = []
        }
        if let no = addressWords.firstIndex(of: "no"), no + 1 < addressWords.count { houseNumber = addressWords[no + 1] } else {
            houseNumber = nil
        }
        phones = Set(Self.phoneNumbers(in: Normalizer.words(script.office.contact)))
        emails = Set(Self.emails(in: script.office.contact))
        receiptPrefix = script.office.receiptPrefix.lowercased()
    }

    /// Mistakes in `reply` (its normalised `words`), for a conversation about `conversation.serviceID`.
    func check(_ reply: String, words: [String], reading: OfficerReading, in conversation: Conversation) -> [Mistake] {
        typealias Tip = Catalogue.CoachTips
        var mistakes: [Mistake] = []
        let service = mentionedService(words) ?? conversation.serviceID.flatMap { id in services.first { $0.service.id == id }?.service }

        // Fee: an amount the script does not state, or "free" for a service that is not.
        if let service {
            let feeWords = Normalizer.words(service.fee)
            let free = feeWords.contains("gratis") || Self.phrase(["tidak", "dipungut"], in: feeWords)
            let amounts = Self.amounts(in: words)
            let statedAmountsOK = amounts.allSatisfy { amount in Self.amounts(in: feeWords).contains(amount) }
            let saysFree = words.contains("gratis") || Self.phrase(["tidak", "dipungut"], in: words)
                || Self.phrase(["tidak", "ada", "biaya"], in: words)
            if !statedAmountsOK || (free && !amounts.isEmpty) || (!free && saysFree) {
                mistakes.append(Mistake(tip: Tip.wrongFee(service: service.name, fee: service.fee)))
            }
        }

        // Processing time: "N hari" about the process, for a known service.
        if let service, conversation.stage != .complaint, conversation.stage != .complaintFollowup {
            let aboutProcess = reading.kinds.contains(.durationInfo) || reading.kinds.contains(.documentsComplete)
                || words.contains("proses") || words.contains("prosesnya") || words.contains("selesai")
            for (index, word) in words.enumerated() where aboutProcess && index + 1 < words.count {
                guard words[index + 1] == "hari", let days = Int(word), days != service.durationDays else { continue }
                mistakes.append(Mistake(tip: Tip.wrongDuration(service: service.name, duration: Catalogue.workingDays(service.durationDays))))
                break
            }
        }

        // Opening hours: every clock time given as hours must be one of the office's.
        if reading.facts.contains(.hours) || reading.kinds.contains(.hoursInfo), !openingTimes.isEmpty {
            let times = Self.clockTimes(in: words)
            if times.contains(where: { !openingTimes.contains($0.minutes) && !openingTimes.contains($0.afternoon) }) {
                mistakes.append(Mistake(tip: Tip.wrongFact(Catalogue.CoachTips.hoursLabel, office.hours)))
            }
        }

        // Address and contact are checked where the reply gives them as the office's own.
        let givesOfficeContact = reading.kinds.contains(.locationInfo) && !words.contains("dinas") && !words.contains("bagian")
        // Address: the street and the number.
        if givesOfficeContact, let jl = words.firstIndex(where: { $0 == "jl" || $0 == "jalan" }), !street.isEmpty, jl + 1 < words.count {
            let named = Array(words[(jl + 1)...].prefix(street.count))
            var wrong = named != street
            if let houseNumber, let no = words[jl...].firstIndex(of: "no"), no + 1 < words.count, words[no + 1] != houseNumber {
                wrong = true
            }
            if wrong { mistakes.append(Mistake(tip: Tip.wrongFact(Catalogue.CoachTips.addressLabel, office.address))) }
        }

        // Contact: phone numbers and emails must be the office's.
        let statedPhones = Self.phoneNumbers(in: words)
        let statedEmails = Self.emails(in: reply)
        if givesOfficeContact, statedPhones.contains(where: { !phones.contains($0) }) || statedEmails.contains(where: { !emails.contains($0) }) {
            mistakes.append(Mistake(tip: Tip.wrongFact(Catalogue.CoachTips.contactLabel, office.contact)))
        }

        // Receipt number: the one issued to this citizen, or the one they quoted.
        let known = [conversation.receiptNumber, conversation.quotedReceipt].compactMap { $0 }
        if let right = known.first {
            for number in receiptNumbers(in: words) where !known.contains(number) {
                mistakes.append(Mistake(tip: Tip.wrongFact(Catalogue.CoachTips.receiptLabel, right)))
                break
            }
        }
        return mistakes
    }

    private func mentionedService(_ words: [String]) -> Service? {
        for (service, aliases) in services where aliases.contains(where: { Self.phrase($0, in: words) }) {
            return service
        }
        return nil
    }

    private func receiptNumbers(in words: [String]) -> [String] {
        var numbers: [String] = []
        for index in words.indices where words[index] == receiptPrefix && index + 2 < words.count {
            let date = words[index + 1]
            let serial = words[index + 2]
            guard date.count == 8, date.allSatisfy(\.isNumber), serial.allSatisfy(\.isNumber), !serial.isEmpty else { continue }
            numbers.append("\(receiptPrefix.uppercased())-\(date)-\(serial)")
        }
        return numbers
    }

    static func phrase(_ phrase: [String], in words: [String]) -> Bool {
        guard !phrase.isEmpty, phrase.count <= words.count else { return false }
        for start in 0...(words.count - phrase.count) where words[start] == phrase[0] {
            if words[start..<start + phrase.count].elementsEqual(phrase) { return true }
        }
        return false
    }

    /// Amounts of money in rupiah: "Rp500.000", "rp 50 000", "50 ribu", "1,5 juta".
    static func amounts(in words: [String]) -> [Int] {
        var amounts: [Int] = []
        var index = 0
        while index < words.count {
            let startsAmount = words[index] == "rp" || words[index].hasPrefix("rp") && words[index].dropFirst(2).allSatisfy(\.isNumber)
            var digits = ""
            var cursor = index
            if startsAmount {
                digits = String(words[index].dropFirst(2))
                cursor = index + 1
            } else if words[index].allSatisfy(\.isNumber), index + 1 < words.count,
                ["ribu", "juta", "rupiah", "rb", "jt"].contains(words[index + 1]) || (index + 2 < words.count && words[index + 1].allSatisfy(\.isNumber) && ["ribu", "juta", "rupiah"].contains(words[index + 2]))
            {
                cursor = index
            } else {
                index += 1
                continue
            }
            // Groups of digits written "500.000" come as separate words.
            while cursor < words.count, words[cursor].allSatisfy(\.isNumber), !words[cursor].isEmpty,
                digits.isEmpty || words[cursor].count == 3
            {
                digits += words[cursor]
                cursor += 1
            }
            var value = Int(digits) ?? 0
            if cursor < words.count {
                if words[cursor] == "ribu" || words[cursor] == "rb" { value *= 1_000 }
                if words[cursor] == "juta" || words[cursor] == "jt" { value *= 1_000_000 }
            }
            if value > 0 { amounts.append(value) }
            index = max(cursor, index + 1)
        }
        return amounts
    }

    /// Clock times: "08 00" (from 08.00), "jam 8", "pukul 13 30"; `afternoon` reads a small hour as p.m.
    static func clockTimes(in words: [String]) -> [(minutes: Int, afternoon: Int)] {
        var times: [(minutes: Int, afternoon: Int)] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            let afterClockWord = index > 0 && (words[index - 1] == "jam" || words[index - 1] == "pukul")
            guard let hour = Int(word), word.count <= 2, hour < 24 else {
                index += 1
                continue
            }
            let next = index + 1 < words.count ? words[index + 1] : ""
            if next.count == 2, let minute = Int(next), minute < 60 {
                times.append((hour * 60 + minute, (hour < 12 ? hour + 12 : hour) * 60 + minute))
                index += 2
                continue
            }
            if afterClockWord { times.append((hour * 60, (hour < 12 ? hour + 12 : hour) * 60)) }
            index += 1
        }
        return times
    }

    /// Phone numbers: runs of digit words that together make 9 or more digits starting with 0 or 62.
    static func phoneNumbers(in words: [String]) -> [String] {
        var numbers: [String] = []
        var run = ""
        for word in words + [""] {
            if !word.isEmpty, word.allSatisfy(\.isNumber) {
                run += word
                continue
            }
            if run.count >= 9, run.hasPrefix("0") || run.hasPrefix("62") {
                numbers.append(run.hasPrefix("62") ? "0" + run.dropFirst(2) : run)
            }
            run = ""
        }
        return numbers
    }

    static func emails(in text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" || $0 == "(" || $0 == ")" })
            .filter { $0.contains("@") }
            .map { $0.lowercased().trimming { ".,;:!?".unicodeScalars.contains($0) } }
    }
}
