import ArgumentParser
import Foundation
import LoketCore
import LoketTerminal
import LoketUI

/// `loket` / `loket train`: trainee mode against simulated citizens (the default command).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Trainee mode: practise with simulated citizens (default).")

    @OptionGroup var scriptOptions: ScriptOptions

    @Option(help: "Seed for the simulated citizens; the same seed replays the same shift.")
    var seed: UInt64?

    @Option(help: "Scenario file (TOML) for the simulated citizens instead of the bundled ones.")
    var scenarios: String?

    @Option(help: "Theme name (see 'loket themes').")
    var theme = "default"

    @Option(help: "Seconds of waiting before a citizen's wait turns to the warning colour.")
    var warnAfter: Double = WaitThresholds.liveChat.warning

    @Option(help: "Seconds of waiting before a citizen's wait turns to the breach colour.")
    var breachAfter: Double = WaitThresholds.liveChat.breach

    @Option(help: "Mean seconds between arriving citizens.")
    var arrivalEvery: Double = 45

    @Option(help: "Write a debug log (start-up time, keys, resizes) to this file.")
    var log: String?

    @Flag(help: "Exam: hide the suggestions.")
    var exam = false

    @Option(help: "End the shift after this long, e.g. 15m, 90s, 1h.")
    var shift: String?

    @Option(help: "End the shift once this many citizens have come and gone.")
    var citizens: Int?

    @Option(help: "Where to write the shift report (FILE.md and FILE.json); default under $XDG_DATA_HOME/loket/reports.")
    var report: String?

    func validate() throws {
        guard warnAfter > 0, breachAfter > warnAfter else {
            throw ValidationError("--breach-after must be greater than --warn-after, both positive")
        }
        guard arrivalEvery > 0 else { throw ValidationError("--arrival-every must be positive") }
        if let shift, ShiftReport.seconds(shift) == nil { throw ValidationError("--shift takes a duration like 15m, 90s or 1h") }
        if let citizens, citizens < 1 { throw ValidationError("--citizens must be at least 1") }
    }


    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let script = try scriptOptions.loadScript()
        let scenarioList: [Scenario]
        do {
            if let scenarios {
                scenarioList = try ScenarioLoader.load(contentsOf: scenarios)
            } else {
                scenarioList = try ScenarioLoader.loadDefault()
            }
        } catch {
            throw CommandFailure(description: error.description)
        }
        let library = ThemeLibrary(environment: environment)
        var themeWarning: String?
        let chosenTheme: Theme
        do {
            chosenTheme = try library.load(theme)
        } catch {
            themeWarning = Catalogue.Terminal.themeFallback(error.description)
            chosenTheme = (try? library.load("default")) ?? .builtIn
        }
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty

        let screen: TerminalScreen
        do {
            screen = try TerminalScreen(term: environment["TERM"], theme: chosenTheme, noColor: noColor)
        } catch {
            writeError(error.description)
            throw ExitCode(2)
        }
        let seed = self.seed ?? UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000
        let engine = Engine(script: script)
        let start = Date()
        let simulator = Simulator(scenarios: scenarioList, seed: seed, start: start, meanArrivalSeconds: arrivalEvery)
        let size = screen.size
        var state = AppState(
            now: start, width: size.width, height: size.height, simulator: simulator,
            thresholds: WaitThresholds(warning: warnAfter, breach: breachAfter, hardLimit: WaitThresholds.liveChat.hardLimit),
            hideSuggestions: exam)
        state.shiftEnd = shift.flatMap(ShiftReport.seconds).map { start.addingTimeInterval($0) }
        state.citizenLimit = citizens
        let renderer = Renderer(calendar: script.calendar)
        let debugLog = log.flatMap(DebugLog.init(path:))
        debugLog?.write("theme \(chosenTheme.name), \(screen.colorCount) colours, \(size.width)×\(size.height), seed \(seed)")

        var running = true
        var firstFrame = true
        while running {
            screen.draw(renderer.render(state))
            if firstFrame {
                firstFrame = false
                debugLog?.write("first frame \(DebugLog.millisecondsSinceProcessStart().map { "\($0) ms" } ?? "?") after start")
            }
            let event: AppEvent? = switch screen.read() {
            case .key(let key): .key(key)
            case .resize(let width, let height): .resize(width: width, height: height)
            case .endOfInput: .inputClosed
            case .timeout: nil
            }
            var effects: [AppEffect] = []
            if let event {
                debugLog?.write("\(event)")
                effects += state.update(event, engine: engine)
            }
            effects += state.update(AppEvent.tick(Date()), engine: engine)
            if effects.contains(.quit) { running = false }
        }
        let shiftReport = ShiftReport.make(from: state, started: start, seed: seed, exam: exam)
        let savedTo = save(shiftReport, environment: environment)
        showReport(shiftReport.markdown, on: screen, renderer: renderer)
        screen.close()
        if let themeWarning { writeError(themeWarning) }
        switch savedTo {
        case .success(let paths): writeLine(Catalogue.Report.saved(paths.markdown, paths.json))
        case .failure(let error): writeError("loket: \(error.message)")
        }
        writeError(Catalogue.Terminal.sessionEnded(seed: seed))
    }
}

extension Train {
    struct ReportError: Error {
        var message: String
    }

    /// Writes the report as Markdown and JSON; returns both paths.
    func save(_ report: ShiftReport, environment: [String: String]) -> Result<(markdown: String, json: String), ReportError> {
        let base: String
        if let report = self.report {
            base = report.hasSuffix(".json") || report.hasSuffix(".md")
                ? String(report[..<(report.lastIndex(of: ".") ?? report.endIndex)]) : report
        } else {
            let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? "\(environment["HOME"] ?? NSTemporaryDirectory())/.local/share"
            let directory = "\(data)/loket/reports"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                return .failure(ReportError(message: "cannot create \(directory): \(error.localizedDescription)"))
            }
            let stamp = report.started.filter { $0.isNumber }.prefix(14)
            base = "\(directory)/laporan-\(stamp)"
        }
        let paths = (markdown: base + ".md", json: base + ".json")
        do {
            try report.markdown.write(toFile: paths.markdown, atomically: true, encoding: .utf8)
            try report.json.write(toFile: paths.json, atomically: true, encoding: .utf8)
        } catch {
            return .failure(ReportError(message: "cannot write the report to \(base).*: \(error.localizedDescription)"))
        }
        return .success(paths)
    }

    /// Shows the report until Enter, Esc, F10 or the end of input; arrows and page keys scroll.
    func showReport(_ markdown: String, on screen: TerminalScreen, renderer: Renderer) {
        var first = 0
        while true {
            let size = screen.size
            screen.draw(renderer.renderReport(markdown, width: size.width, height: size.height, first: first))
            switch screen.read() {
            case .key(.enter), .key(.escape), .key(.function(10)), .key(.control("c")), .endOfInput: return
            case .key(.down), .key(.pageDown): first += 1
            case .key(.up), .key(.pageUp): first = max(0, first - 1)
            default: continue
            }
        }
    }
}

/// `loket report FILE.json`: prints a saved shift report again.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Print a saved shift report (the .json file) as Markdown.")

    @Argument(help: "The report's JSON file.")
    var file: String

    func run() throws {
        let text: String
        do {
            text = try DataFile.read(file)
        } catch {
            throw CommandFailure(description: error.description)
        }
        guard let report = ShiftReport.decode(json: text) else {
            throw CommandFailure(description: "\(file): not a Loket shift report (JSON with started, ended, conversations, total)")
        }
        writeLine(report.markdown)
    }
}

/// `loket themes`: lists the themes Loket can find and checks each one.
struct Themes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "themes", abstract: "List the available themes and check that each one loads.")

    func run() throws {
        let library = ThemeLibrary(environment: ProcessInfo.processInfo.environment)
        var failures = 0
        // File names and errors quote what is on disk: printed without control characters, one line per theme, and
        // a theme that fails to load is reported without stopping the listing.
        for (name, file) in library.available() {
            do {
                let theme = try library.load(name)
                writeLine([name, "\(theme.roles.count) peran", file].map(Printable.sanitized).joined(separator: "\t"))
            } catch {
                failures += 1
                writeLine(Printable.sanitized(name) + "\tGAGAL: " + Printable.sanitized(error.description))
            }
        }
        writeLine(Printable.sanitized("Folder tema: \(library.directories.joined(separator: ", "))"))
        if failures > 0 { throw ExitCode(1) }
    }
}

/// The file `--log` names: one timestamped line per event, never on the screen.
final class DebugLog {
    private let handle: FileHandle

    init?(path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path)
        else { return nil }
        self.handle = handle
    }

    func write(_ line: String) {
        handle.write(Data("\(Date().timeIntervalSince1970) \(line)\n".utf8))
    }

    /// Milliseconds since the kernel started this process (from /proc; 10 ms resolution).
    static func millisecondsSinceProcessStart() -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let uptimeText = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
            let uptime = Double(uptimeText.split(separator: " ").first ?? ""),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name; start time is field 22 overall, the 20th after ")".
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        return Int(((uptime - ticks / ticksPerSecond) * 1000).rounded())
    }
}
