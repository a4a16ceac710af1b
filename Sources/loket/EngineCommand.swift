import ArgumentParser
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
import LoketCLI
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
            A line that is not valid JSON, or lacks a field, gets {"error":"…"} and processing goes on; a refused
            line changes no conversation.

            Limits: a line is at most 1 MiB (a longer one gets an error line and is skipped), JSON nests at most 64
            levels, a conversation without a line for --idle-expiry seconds is forgotten, and at most
            --max-conversations are kept (the longest idle go first).
            Exit status: 0 all lines answered or the output's reader went away; 1 a failing --evaluate or a script
            that does not load; 64 a bad option; 74 input or output could not be read or written.

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

    @Option(name: .customLong("cross-validate"), help: "Report k-fold cross-validated intent accuracy (2 ≤ k ≤ examples).")
    var crossValidate: Int?

    @Option(name: .customLong("idle-expiry"), help: "Forget a conversation after this many seconds without a line (60–2592000).")
    var idleExpiry: Double = EngineSession.Retention.standard.idleSeconds

    @Option(name: .customLong("max-conversations"), help: "Most conversations kept; the longest idle go first (1–10000000).")
    var maxConversations: Int = EngineSession.Retention.standard.maximumConversations

    func validate() throws {
        if let crossValidate, crossValidate < 2 {
            throw ValidationError(Catalogue.Options.outOfRange("--cross-validate", "2", "jumlah contoh pada skrip"))
        }
        let idle = EngineSession.Retention.idleSecondsRange
        guard idle.contains(idleExpiry) else {
            throw ValidationError(Catalogue.Options.outOfRange("--idle-expiry", "\(Int(idle.lowerBound))", "\(Int(idle.upperBound))"))
        }
        let cap = EngineSession.Retention.maximumConversationsRange
        guard cap.contains(maxConversations) else {
            throw ValidationError(Catalogue.Options.outOfRange("--max-conversations", "\(cap.lowerBound)", "\(cap.upperBound)"))
        }
    }

    func run() throws {
        // Checked before anything is opened: a closed descriptor would otherwise be reused by the next open file.
        if crossValidate == nil, evaluate == nil {
            guard fcntl(0, F_GETFD) != -1 else {
                writeError(Catalogue.Command.inputClosed)
                throw ExitCode(ExitStatus.ioError)
            }
        }
        guard fcntl(1, F_GETFD) != -1 else {
            writeError(Catalogue.Command.outputClosed)
            throw ExitCode(ExitStatus.ioError)
        }
        // A reader that goes away must end the engine quietly, not kill it with SIGPIPE mid-line.
        signal(SIGPIPE, SIG_IGN)
        let script = try scriptOptions.loadScript()
        if let folds = crossValidate {
            let examples = script.intents.reduce(0) { $0 + $1.examples.count }
            guard folds <= examples else {
                writeError("Error: " + Catalogue.Options.outOfRange("--cross-validate", "2", "\(examples)"))
                throw ExitCode.validationFailure
            }
            writeLine(printable(CrossValidation.run(script: script, folds: folds).table(title: "\(folds)-fold cross-validated intent")))
            return
        }
        let engine = Engine(script: script)
        if let evaluate {
            let stories: [Story]
            do {
                stories = evaluate == "default" ? try StoryLoader.loadDefault() : try StoryLoader.load(contentsOf: evaluate)
            } catch {
                throw CommandFailure(description: error.description)
            }
            let report = StoryEvaluator.evaluate(stories, engine: engine, source: evaluate == "default" ? StoryLoader.defaultStoriesName : evaluate)
            writeLine("\(stories.count) conversations")
            writeLine(printable(report.text))
            if !report.passed { throw ExitCode(1) }
            return
        }
        var session = EngineSession(
            engine: engine, retention: .init(idleSeconds: idleExpiry, maximumConversations: maxConversations))
        switch session.run(input: 0, output: 1) {
        case .finished, .outputClosed:
            return
        case .inputFailed(let code):
            writeError(Catalogue.Command.inputFailed(code))
            throw ExitCode(ExitStatus.ioError)
        case .outputFailed(let code):
            writeError(Catalogue.Command.outputFailed(code))
            throw ExitCode(ExitStatus.ioError)
        }
    }
}

/// Multi-line text that quotes a script or stories file, each line without control characters.
private func printable(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { Printable.sanitized(String($0)) }.joined(separator: "\n")
}
