import ArgumentParser
import Foundation
import LoketCore

/// `loket engine`: the conversation engine as a JSON Lines filter, an evaluator and a cross-validator.
struct EngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Run the conversation engine on JSON Lines from standard input.",
        discussion: """
            Reads one JSON object per line and writes exactly one JSON line per input line, in order. \
            State is kept per conversation.

            Citizen line:
              {"conversation":"c1","from":"citizen","text":"Saya mau perpanjang izin usaha",
               "time":"2026-11-30T08:05:00+07:00"}
            Output: intent, confidence, intents, entities (service, receipt, name, honorific), stage and
            suggestions (kind, text, why).

            Officer line (kind optional: recognised from the text when absent):
              {"conversation":"c1","from":"officer","kind":"ask_documents","text":"…"}
            Output: {"conversation":"c1","kind":"ask_documents","stage":"documents_requested",
                     "coach":{"score":95,"tips":["…"]}}
            The coach judges the reply at its "time" (default: the citizen's last message, so no wait is invented).

            Optional fields: time (RFC 3339, default now), name, honorific ("Bapak" or "Ibu").
            A line that is not valid JSON, or lacks a field, gets {"error":"…"} and processing goes on.

            --evaluate FILE plays conversation tests written as data (see Sources/LoketCore/Resources/stories.toml;
            "default" plays the bundled ones) and prints per-intent precision, recall and F1, a confusion summary
            and the failures; it exits non-zero when any expectation fails.
            --cross-validate K estimates accuracy on unseen messages by k-fold cross-validation of the script's
            intent examples.
            """
    )

    @OptionGroup var scriptOptions: ScriptOptions

    @Option(name: .long, help: "Conversation tests to evaluate (a TOML file, or \"default\" for the bundled ones).")
    var evaluate: String?

    @Option(name: .customLong("cross-validate"), help: "Report k-fold cross-validated intent accuracy (k ≥ 2).")
    var crossValidate: Int?

    func validate() throws {
        if let crossValidate, crossValidate < 2 { throw ValidationError("--cross-validate needs k of 2 or more") }
    }

    func run() throws {
        let script = try scriptOptions.loadScript()
        if let folds = crossValidate {
            writeLine(CrossValidation.run(script: script, folds: folds).table(title: "\(folds)-fold cross-validated intent"))
            return
        }
        let engine = Engine(script: script)
        if let evaluate {
            let stories: [Story]
            do {
                stories = evaluate == "default" ? try StoryLoader.loadDefault() : try StoryLoader.load(contentsOf: evaluate)
            } catch {
                throw ValidationError(error.description)
            }
            let report = StoryEvaluator.evaluate(stories, engine: engine, source: evaluate == "default" ? StoryLoader.defaultStoriesName : evaluate)
            writeLine("\(stories.count) conversations")
            writeLine(report.text)
            if !report.passed { throw ExitCode(1) }
            return
        }
        var session = EngineSession(engine: engine)
        var pending = Data()
        let input = FileHandle.standardInput
        while true {
            let chunk = input.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[pending.index(after: newline)...])
                emit(line, session: &session)
            }
        }
        if !pending.isEmpty { emit(pending, session: &session) }
    }

    private func emit(_ bytes: Data, session: inout EngineSession) {
        var bytes = bytes
        if bytes.last == 0x0D { bytes.removeLast() }
        // Invalid UTF-8 is repaired with U+FFFD rather than refused: the rest of the message still counts.
        let line = String(decoding: bytes, as: UTF8.self)
        writeLine(session.handle(line: line, now: Date()))
    }
}
