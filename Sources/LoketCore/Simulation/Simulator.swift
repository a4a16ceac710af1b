import Foundation

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

    public init(scenarios: [Scenario], seed: UInt64, start: Date, meanArrivalSeconds: Double = 45,
                maximumCitizens: Int? = nil) {
        self.scenarios = scenarios
        self.meanArrivalSeconds = meanArrivalSeconds
        self.maximumCitizens = maximumCitizens
        random = SeededGenerator(seed: seed)
        // The first citizen comes almost at once, so a trainee is not left staring at an empty screen.
        nextArrival = start.addingTimeInterval(2)
    }

    public var arrivedCount: Int { arrived }

    /// Advances to `now`: new arrivals, messages whose typing is over, nudges and departures after silence.
    public mutating func tick(_ now: Date) -> [Output] {
        var outputs: [Output] = []
        while now >= nextArrival, !scenarios.isEmpty, maximumCitizens.map({ arrived < $0 }) ?? true {
            let chat = arrived
            arrived += 1
            let scenarioIndex = Int(random.next() % UInt64(scenarios.count))
            let scenario = scenarios[scenarioIndex]
            citizens[chat] = Citizen(scenario: scenarioIndex)
            outputs.append(.arrive(
                chat: chat, name: scenario.citizen, honorific: scenario.honorific, priority: scenario.priority,
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
                    let nudge = Catalogue.CitizenLines.nudges[(citizen.nudges - 1) % Catalogue.CitizenLines.nudges.count]
                    outputs.append(.say(chat: chat, text: nudge))
                    citizen.waitingSince = now
                }
            }
            citizens[chat] = citizen
        }
        return outputs
    }

    /// The officer sent a reply of `kind` to `chat`: the citizen moves on, asks again, or grows impatient.
    public mutating func officerReplied(chat: Int, kind: ReplyKind, at now: Date) -> [Output] {
        guard var citizen = citizens[chat], !citizen.finished else { return [] }
        let scenario = scenarios[citizen.scenario]
        citizen.nudges = 0
        citizen.waitingSince = nil
        var outputs: [Output] = []
        let step = scenario.steps[citizen.step]
        if step.expect.isEmpty || step.expect.contains(kind) {
            citizen.misses = 0
            citizen.step += 1
            // A reply that came before the citizen's retry was sent makes the retry moot.
            citizen.pending.removeAll()
            if citizen.step >= scenario.steps.count {
                citizen.finished = true
                outputs.append(.finish(chat: chat))
            } else {
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
            let lines = citizen.misses >= 3
                ? Catalogue.CitizenLines.impatient
                : (step.retry.isEmpty ? Catalogue.CitizenLines.retries : step.retry)
            citizens[chat] = citizen
            outputs += write(chat, lines: lines, after: 15, at: now)
            return outputs
        }
        citizens[chat] = citizen
        return outputs
    }

    /// Schedules one of `lines` after a pause and the time it takes to type it.
    private mutating func write(_ chat: Int, lines: [String], after pause: Double, at now: Date) -> [Output] {
        guard var citizen = citizens[chat], !lines.isEmpty else { return [] }
        let text = lines[Int(random.next() % UInt64(lines.count))]
        let typing = Double(text.count) * 0.12 * (0.8 + unit() * 0.5)
        let start = now.addingTimeInterval(pause)
        let due = start.addingTimeInterval(1 + typing)
        citizen.pending.append((text, due))
        citizen.waitingSince = nil
        citizens[chat] = citizen
        return [.typing(chat: chat, until: due)]
    }

    private mutating func unit() -> Double { Double(random.next() >> 11) / Double(1 << 53) }

    private mutating func exponential(mean: Double) -> Double { -mean * log(max(1 - unit(), 1e-9)) }
}
