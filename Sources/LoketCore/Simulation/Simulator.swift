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

/// Simulated citizens for trainee mode: seeded arrivals, typing delays, and reactions to what the officer sent.
///
/// Pure and deterministic: time comes in through `tick`, randomness from a seeded generator, so `--seed N`
/// replays a shift exactly and tests can play one in milliseconds.
public struct Simulator: Sendable {
    /// What the simulator wants the app to do.
    public enum Output: Sendable, Equatable {
        case arrive(chat: Int, name: String?, honorific: Honorific?, priority: Bool, scenario: String)
        case typing(chat: Int, until: Date)
        case say(chat: Int, text: String)
        case leave(chat: Int)
        case finish(chat: Int)
    }

    private struct Citizen: Sendable {
        var scenario: Int
        var step = 0
        /// The receipt number this citizen quotes (`{receipt}` in the scenario's lines).
        var receipt: String
        var english: Bool
        /// Rude replies taken so far; the second makes the citizen leave.
        var offences = 0
        /// The last step is done but the officer asked "anything else?": the citizen answered and awaits the goodbye.
        var closing = false
        /// Messages written but not yet sent, each with the moment it arrives.
        var pending: [(text: String, due: Date)] = []
        /// When the citizen last finished writing and started waiting for the officer.
        var waitingSince: Date?
        var nudges = 0
        var misses = 0
        var finished = false
    }

    public let scenarios: [Scenario]
    /// Mean seconds between arrivals.
    public var meanArrivalSeconds: Double
    /// Stop sending new citizens after this many (nil: keep coming).
    public var maximumCitizens: Int?
    private var random: SeededGenerator
    private var nextArrival: Date
    private var citizens: [Int: Citizen] = [:]
    private var arrived = 0
    /// Office clock and receipt numbering, for greetings by time of day and the numbers citizens quote.
    private var calendar: OfficeCalendar
    private var receiptPrefix: String
    /// Every name given out this shift: two citizens never share one.
    private var usedNames: Set<String> = []
    private var lastReceiptSerial: Int
    private var receiptRandom: SeededGenerator

    /// Citizens following `scenarios`; `script` gives the office clock and receipt prefix (Jakarta and "PTSP"
    /// without one).
    public init(scenarios: [Scenario], seed: UInt64, start: Date, meanArrivalSeconds: Double = 45,
                maximumCitizens: Int? = nil, script: Script? = nil) {
        self.scenarios = scenarios
        self.meanArrivalSeconds = meanArrivalSeconds
        self.maximumCitizens = maximumCitizens
        calendar = script?.calendar ?? OfficeCalendar(timeZone: OfficeTimeZone(identifier: "Asia/Jakarta") ?? .utc, holidays: [])
        receiptPrefix = script?.office.receiptPrefix ?? "PTSP"
        random = SeededGenerator(seed: seed)
        // Receipt numbers draw on their own generator, so arrivals and lines stay as the seed always gave them.
        receiptRandom = SeededGenerator(seed: seed ^ 0x5EED_CAFE)
        lastReceiptSerial = 10 + Int(receiptRandom.next() % 80)
        // The first citizen comes almost at once, so a trainee is not left staring at an empty screen.
        nextArrival = start.addingTimeInterval(2)
    }

    public var arrivedCount: Int { arrived }

    /// Keeps the office clock and receipt prefix of `script` from now on.
    public mutating func use(script: Script) {
        calendar = script.calendar
        receiptPrefix = script.office.receiptPrefix
    }

    /// Advances to `now`: new arrivals, messages whose typing is over, nudges and departures after silence.
    public mutating func tick(_ now: Date) -> [Output] {
        var outputs: [Output] = []
        while now >= nextArrival, !scenarios.isEmpty, maximumCitizens.map({ arrived < $0 }) ?? true {
            let chat = arrived
            arrived += 1
            let scenarioIndex = Int(random.next() % UInt64(scenarios.count))
            let scenario = scenarios[scenarioIndex]
            citizens[chat] = Citizen(
                scenario: scenarioIndex, receipt: nextReceipt(before: nextArrival), english: scenario.language == "en")
            outputs.append(.arrive(
                chat: chat, name: uniqueName(for: scenario), honorific: scenario.honorific, priority: scenario.priority,
                scenario: scenario.id))
            outputs += write(chat, lines: scenario.steps[0].say, after: 1, at: nextArrival)
            nextArrival = nextArrival.addingTimeInterval(exponential(mean: meanArrivalSeconds))
        }
        for chat in citizens.keys.sorted() {
            guard var citizen = citizens[chat] else { continue }
            while let first = citizen.pending.first, first.due <= now {
                citizen.pending.removeFirst()
                outputs.append(.say(chat: chat, text: first.text))
                if citizen.pending.isEmpty { citizen.waitingSince = first.due }
            }
            if let waiting = citizen.waitingSince, citizen.pending.isEmpty, !citizen.finished {
                let patience = scenarios[citizen.scenario].patience
                if now.timeIntervalSince(waiting) >= patience {
                    if citizen.nudges >= 2 {
                        citizens[chat] = nil
                        outputs.append(.leave(chat: chat))
                        continue
                    }
                    citizen.nudges += 1
                    let nudges = Catalogue.CitizenLines.nudges(english: citizen.english)
                    outputs.append(.say(chat: chat, text: nudges[(citizen.nudges - 1) % nudges.count]))
                    citizen.waitingSince = now
                }
            }
            citizens[chat] = citizen
        }
        return outputs
    }

    /// The officer sent a reply of `kind` to `chat`: the citizen moves on, asks again, or grows impatient.
    public mutating func officerReplied(chat: Int, kind: ReplyKind, at now: Date) -> [Output] {
        officerReplied(chat: chat, reply: OfficerReply(kinds: [kind]), at: now)
    }

    /// The officer sent `reply` to `chat`: the citizen reacts to everything it did. A step is done when any act
    /// of the reply is one it expects; rudeness offends (twice and the citizen leaves), a wrong fact is questioned,
    /// and "anything else?" after the last step is answered before the citizen says goodbye.
    public mutating func officerReplied(chat: Int, reply: OfficerReply, at now: Date) -> [Output] {
        guard var citizen = citizens[chat], !citizen.finished else { return [] }
        let scenario = scenarios[citizen.scenario]
        let lines = Catalogue.CitizenLines.self
        citizen.nudges = 0
        citizen.waitingSince = nil
        let kinds = Set(reply.kinds)
        if reply.rude {
            citizen.offences += 1
            citizen.pending.removeAll()
            if citizen.offences >= 2 {
                citizens[chat] = nil
                return [.say(chat: chat, text: lines.leavingOffended(english: citizen.english)), .leave(chat: chat)]
            }
            citizens[chat] = citizen
            return write(chat, lines: lines.offended(english: citizen.english), after: 3, at: now)
        }
        if reply.wrongFact {
            citizens[chat] = citizen
            return write(chat, lines: lines.doubtFact(english: citizen.english), after: 5, at: now)
        }
        if citizen.closing {
            guard kinds.contains(.farewell) || kinds.contains(.receipt) else {
                citizens[chat] = citizen
                return []
            }
            citizen.finished = true
            citizens[chat] = citizen
            return [.finish(chat: chat)]
        }
        var outputs: [Output] = []
        let step = scenario.steps[citizen.step]
        if step.expect.isEmpty || !kinds.isDisjoint(with: step.expect) {
            citizen.misses = 0
            // A reply that came before the citizen's retry was sent makes the retry moot.
            citizen.pending.removeAll()
            if citizen.step + 1 >= scenario.steps.count {
                // "Anything else?" is a question: the citizen answers it and waits for the goodbye.
                if kinds.contains(.anythingElse), !kinds.contains(.farewell), !kinds.contains(.receipt) {
                    citizen.closing = true
                    citizens[chat] = citizen
                    return write(chat, lines: lines.nothingElse(english: citizen.english), after: 2, at: now)
                }
                citizen.step += 1
                citizen.finished = true
                outputs.append(.finish(chat: chat))
            } else {
                citizen.step += 1
                citizens[chat] = citizen
                outputs += write(chat, lines: scenario.steps[citizen.step].say, after: 2, at: now)
                return outputs
            }
        } else if citizen.pending.isEmpty {
            citizen.misses += 1
            // Asked five times and never answered: the citizen gives up.
            if citizen.misses > 5 {
                citizens[chat] = nil
                return [.leave(chat: chat)]
            }
            // The citizen reads the reply, waits a little in case more is coming, then asks again.
            let retry = citizen.misses >= 3
                ? lines.impatient(english: citizen.english)
                : (step.retry.isEmpty ? lines.retries(english: citizen.english) : step.retry)
            citizens[chat] = citizen
            outputs += write(chat, lines: retry, after: 15, at: now)
            return outputs
        }
        citizens[chat] = citizen
        return outputs
    }

    /// A name for a new citizen of `scenario` that nobody in this shift has had.
    private mutating func uniqueName(for scenario: Scenario) -> String? {
        guard !scenario.citizenNames.isEmpty else { return nil }
        let pool = scenario.citizenNames + Catalogue.CitizenLines.spareNames(scenario.honorific, english: scenario.language == "en")
        var name = pool.first { !usedNames.contains($0) }
        if name == nil, let base = scenario.citizenNames.first {
            var number = 2
            while usedNames.contains("\(base) \(number)") { number += 1 }
            name = "\(base) \(number)"
        }
        if let name { usedNames.insert(name) }
        return name
    }

    /// A receipt number from about two weeks before `date` that no other citizen of this shift quotes.
    private mutating func nextReceipt(before date: Date) -> String {
        lastReceiptSerial += 1 + Int(receiptRandom.next() % 7)
        var day = calendar.localTime(date).date
        var back = 10
        while back > 0 {
            day = day.adding(days: -1)
            if calendar.isWorkingDay(day) { back -= 1 }
        }
        let digits = String(lastReceiptSerial)
        return "\(receiptPrefix)-\(day.compact)-\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits)"
    }

    /// A scenario line as this citizen says it at `time`: `{salam}` by the office clock (lowercase mid-sentence),
    /// `{receipt}` their own number.
    private func render(_ line: String, for citizen: Citizen, at time: Date) -> String {
        var text = line.replacing("{receipt}", with: citizen.receipt)
        let salam = Catalogue.CitizenLines.salam(calendar.salam(at: time), english: citizen.english)
        while let range = text.firstRange(of: "{salam}") {
            let before = text[..<range.lowerBound].trimmingWhitespace()
            let startsSentence = before.isEmpty || before.hasSuffix(".") || before.hasSuffix("!") || before.hasSuffix("?")
            text.replaceSubrange(range, with: startsSentence ? salam : salam.lowercased())
        }
        return text
    }

    /// Schedules one of `lines` after a pause and the time it takes to type it.
    private mutating func write(_ chat: Int, lines: [String], after pause: Double, at now: Date) -> [Output] {
        guard var citizen = citizens[chat], !lines.isEmpty else { return [] }
        let line = lines[Int(random.next() % UInt64(lines.count))]
        let typing = Double(line.count) * 0.12 * (0.8 + unit() * 0.5)
        let start = now.addingTimeInterval(pause)
        let due = start.addingTimeInterval(1 + typing)
        let text = render(line, for: citizen, at: due)
        citizen.pending.append((text, due))
        citizen.waitingSince = nil
        citizens[chat] = citizen
        return [.typing(chat: chat, until: due)]
    }

    private mutating func unit() -> Double { Double(random.next() >> 11) / Double(1 << 53) }

    private mutating func exponential(mean: Double) -> Double { -mean * log(max(1 - unit(), 1e-9)) }
}
