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

/// Precision, recall and F1 for one label.
public struct LabelScore: Sendable, Equatable {
    public var label: String
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0

    public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
    public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
    public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    public var support: Int { truePositives + falseNegatives }

    private func ratio(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
}

/// Counts expected-versus-predicted labels and derives per-label scores and the most frequent confusions.
public struct ConfusionCounter: Sendable {
    public private(set) var pairs: [String: [String: Int]] = [:]
    public private(set) var total = 0
    public private(set) var correct = 0

    public init() {}

    public mutating func add(expected: String, predicted: String) {
        pairs[expected, default: [:]][predicted, default: 0] += 1
        total += 1
        if expected == predicted { correct += 1 }
    }

    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    public var scores: [LabelScore] {
        let labels = Set(pairs.keys).union(pairs.values.flatMap(\.keys)).sorted()
        return labels.map { label in
            var score = LabelScore(label: label)
            score.truePositives = pairs[label]?[label] ?? 0
            score.falseNegatives = (pairs[label]?.values.reduce(0, +) ?? 0) - score.truePositives
            score.falsePositives = pairs.filter { $0.key != label }.reduce(0) { $0 + ($1.value[label] ?? 0) }
            return score
        }
    }

    /// The most frequent wrong (expected, predicted) pairs.
    public func confusions(limit: Int) -> [(expected: String, predicted: String, count: Int)] {
        pairs.flatMap { expected, row in
            row.filter { $0.key != expected }.map { (expected: expected, predicted: $0.key, count: $0.value) }
        }
        .sorted { $0.count != $1.count ? $0.count > $1.count : ($0.expected, $0.predicted) < ($1.expected, $1.predicted) }
        .prefix(limit).map { $0 }
    }

    /// A plain-text table of per-label precision, recall and F1 with the overall accuracy.
    public func table(title: String) -> String {
        var lines = ["\(title): \(correct)/\(total) right (\(Self.percent(accuracy)))",
                     "  \("label".padded(toLength: 20)) precision  recall     f1  support"]
        for score in scores {
            lines.append("  \(score.label.padded(toLength: 20)) "
                + "\(Self.fixed(score.precision).leftPadded(9))  \(Self.fixed(score.recall).leftPadded(6))  "
                + "\(Self.fixed(score.f1).leftPadded(5))  \(String(score.support).leftPadded(7))")
        }
        let confusions = confusions(limit: 8)
        if !confusions.isEmpty {
            lines.append("  most frequent confusions (expected → got):")
            for confusion in confusions {
                lines.append("    \(confusion.expected) → \(confusion.predicted): \(confusion.count)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func percent(_ value: Double) -> String { "\(fixed(value * 100, digits: 1)) %" }

    static func fixed(_ value: Double, digits: Int = 2) -> String {
        let scale = pow(10, Double(digits))
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }
}

extension String {
    func leftPadded(_ length: Int) -> String {
        count >= length ? self : String(repeating: " ", count: length - count) + self
    }
}

/// The result of playing stories through the engine: intent, service and reply figures, and each failure.
public struct EvaluationReport: Sendable {
    public var intents = ConfusionCounter()
    public var serviceChecked = 0
    public var serviceRight = 0
    public var topChecked = 0
    public var topRight = 0
    public var acceptableChecked = 0
    public var acceptableRight = 0
    public var failures: [String] = []

    public var passed: Bool { failures.isEmpty }

    public var text: String {
        func figure(_ right: Int, _ checked: Int) -> String {
            "\(right)/\(checked) (\(ConfusionCounter.percent(checked == 0 ? 0 : Double(right) / Double(checked))))"
        }
        var lines = [intents.table(title: "Intent")]
        lines.append("Service: \(figure(serviceRight, serviceChecked))")
        lines.append("Top suggestion: \(figure(topRight, topChecked))")
        lines.append("Acceptable reply in top 3: \(figure(acceptableRight, acceptableChecked))")
        lines.append(failures.isEmpty ? "No failures." : "Failures (\(failures.count)):")
        lines.append(contentsOf: failures.map { "  " + $0 })
        return lines.joined(separator: "\n")
    }
}

/// Plays stories through a fresh session of the engine and checks every expectation.
public enum StoryEvaluator {
    public static func evaluate(_ stories: [Story], engine: Engine, source: String = "stories") -> EvaluationReport {
        var report = EvaluationReport()
        var receipts = ReceiptBook()
        for story in stories {
            var conversation = Conversation(id: story.name)
            for turn in story.turns {
                switch turn {
                case .officer(let text, let kind):
                    engine.recordOfficer(text, kind: kind, in: &conversation)
                case .citizen(let expected):
                    let understanding = engine.receiveCitizen(expected.text, in: &conversation, at: expected.time)
                    let suggestions = engine.suggestions(for: &conversation, receipts: &receipts, at: expected.time)
                    let kinds = suggestions.map(\.kind)
                    let place = "\(source):\(expected.line) [\(story.name)] \"\(expected.text.prefix(60))\""
                    if let intent = expected.intent {
                        report.intents.add(expected: intent.rawValue, predicted: understanding.intent.rawValue)
                        if intent != understanding.intent {
                            report.failures.append("\(place): intent \(understanding.intent), expected \(intent)")
                        }
                    }
                    if let service = expected.service {
                        report.serviceChecked += 1
                        let got = conversation.serviceID ?? ""
                        if got == service {
                            report.serviceRight += 1
                        } else {
                            report.failures.append("\(place): service \(got.isEmpty ? "none" : got), expected \(service.isEmpty ? "none" : service)")
                        }
                    }
                    if let top = expected.top {
                        report.topChecked += 1
                        if kinds.first == top {
                            report.topRight += 1
                        } else {
                            report.failures.append("\(place): top suggestion \(kinds.first?.rawValue ?? "none"), expected \(top)")
                        }
                    }
                    if !expected.acceptable.isEmpty {
                        report.acceptableChecked += 1
                        if kinds.contains(where: expected.acceptable.contains) {
                            report.acceptableRight += 1
                        } else {
                            report.failures.append("\(place): suggestions \(kinds.map(\.rawValue)), expected one of \(expected.acceptable.map(\.rawValue))")
                        }
                    }
                }
            }
        }
        return report
    }
}

/// k-fold cross-validation of intent recognition on the script's own examples: each example is classified by a
/// model trained without it, which estimates accuracy on messages the engine has never seen.
public enum CrossValidation {
    public static func run(script: Script, folds: Int, seed: UInt64 = 42) -> ConfusionCounter {
        var examples: [(text: String, intent: Intent)] = []
        for intent in script.intents { for example in intent.examples { examples.append((example, intent.id)) } }
        var generator = SeededGenerator(seed: seed)
        examples.shuffle(using: &generator)
        let foldCount = max(2, folds)
        var counter = ConfusionCounter()
        for fold in 0..<foldCount {
            var training = script
            training.intents = script.intents.map { definition in
                var copy = definition
                copy.examples = examples.enumerated()
                    .filter { $0.offset % foldCount != fold && $0.element.intent == definition.id }.map(\.element.text)
                // Keep every intent trainable even when a fold takes all of a tiny intent's examples.
                if copy.examples.isEmpty { copy.examples = Array(definition.examples.prefix(1)) }
                return copy
            }
            let engine = Engine(script: training)
            for (index, example) in examples.enumerated() where index % foldCount == fold {
                let predicted = engine.understand(example.text, in: Conversation(id: "cv")).intent
                counter.add(expected: example.intent.rawValue, predicted: predicted.rawValue)
            }
        }
        return counter
    }
}

extension CrossValidation {
    /// k-fold cross-validation of officer-text recognition on the script's officer examples: the main act of each
    /// example (`other` for those that do nothing) read by a model trained without it; templates always train.
    public static func runOfficer(script: Script, folds: Int, seed: UInt64 = 42) -> ConfusionCounter {
        var examples: [(text: String, kind: ReplyKind)] = []
        for kind in (ReplyKind.all + [.other]) { for example in script.replyExamples[kind] ?? [] { examples.append((example, kind)) } }
        var generator = SeededGenerator(seed: seed)
        examples.shuffle(using: &generator)
        let foldCount = max(2, folds)
        var counter = ConfusionCounter()
        for fold in 0..<foldCount {
            var training = script
            var kept: [ReplyKind: [String]] = [:]
            for (index, example) in examples.enumerated() where index % foldCount != fold {
                kept[example.kind, default: []].append(example.text)
            }
            training.replyExamples = kept
            let engine = Engine(script: training)
            for (index, example) in examples.enumerated() where index % foldCount == fold {
                counter.add(expected: example.kind.rawValue, predicted: engine.readOfficer(example.text).main.rawValue)
            }
        }
        return counter
    }
}

/// A small deterministic random source (SplitMix64) for reproducible shuffles.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
