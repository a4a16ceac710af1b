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

    /// Ranges for the numeric options: beyond them the simulation stops being a shift (a citizen every
    /// microsecond queued 342,113 in 45 s) or a threshold stops meaning anything.
    enum Limits {
        static let waitSeconds: ClosedRange<Double> = 1...WaitThresholds.liveChat.hardLimit
        static let arrivalSeconds: ClosedRange<Double> = 1...3600
        static let citizens: ClosedRange<Int> = 1...1000
        static let shiftSeconds: ClosedRange<Double> = 1...43_200
    }

    func validate() throws {
        typealias O = Catalogue.Options
        func range(_ range: ClosedRange<Double>) -> (String, String) {
            (Self.number(range.lowerBound), Self.number(range.upperBound))
        }
        let wait = range(Limits.waitSeconds)
        guard Limits.waitSeconds.contains(warnAfter) else { throw ValidationError(O.outOfRange("--warn-after", wait.0, wait.1)) }
        guard Limits.waitSeconds.contains(breachAfter) else { throw ValidationError(O.outOfRange("--breach-after", wait.0, wait.1)) }
        guard breachAfter > warnAfter else { throw ValidationError(O.breachAfterWarn) }
        let arrival = range(Limits.arrivalSeconds)
        guard Limits.arrivalSeconds.contains(arrivalEvery) else {
            throw ValidationError(O.outOfRange("--arrival-every", arrival.0, arrival.1))
        }
        if let shift {
            guard let seconds = ShiftReport.seconds(shift) else { throw ValidationError(O.shiftFormat) }
            guard Limits.shiftSeconds.contains(seconds) else { throw ValidationError(O.outOfRange("--shift", "1s", "12h")) }
        }
        if let citizens, !Limits.citizens.contains(citizens) {
            throw ValidationError(O.outOfRange("--citizens", "\(Limits.citizens.lowerBound)", "\(Limits.citizens.upperBound)"))
        }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
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
            themeWarning = Catalogue.Terminal.themeFallback(Printable.sanitized(error.description))
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
        let simulator = Simulator(
            scenarios: scenarioList, seed: seed, start: start, meanArrivalSeconds: arrivalEvery, maximumCitizens: citizens)
        let size = screen.size
        var state = AppState(
            now: start, width: size.width, height: size.height,
            thresholds: WaitThresholds(warning: warnAfter, breach: breachAfter, hardLimit: WaitThresholds.liveChat.hardLimit),
            hideSuggestions: exam)
        state.shiftEnd = shift.flatMap(ShiftReport.seconds).map { start.addingTimeInterval($0) }
        state.citizenLimit = citizens
        if themeWarning != nil { state.announce(Catalogue.Terminal.themeFallbackShort(Printable.sanitized(theme)), for: 10) }
        let renderer = Renderer(calendar: script.calendar)
        let debugLog = log.map(DebugLog.init(path:))
        debugLog?.write("theme \(chosenTheme.name), \(screen.colorCount) colours, \(size.width)×\(size.height), seed \(seed)")
        var session = CounterSession(state: state, source: SimulatedCitizens(simulator: simulator), engine: engine)
        #if canImport(Glibc)
        // Loading the script and training the classifiers leave freed heap pages behind that glibc keeps mapped;
        // handing them back keeps the screen's resident memory at what the shift actually holds.
        _ = releaseFreedHeap(0)
        #endif
        let stoppedBy = runCounter(screen: screen, session: &session, renderer: renderer, log: debugLog)
        state = session.state
        let shiftReport = ShiftReport.make(from: state, started: start, seed: seed, exam: exam)
        let saved = save(shiftReport, environment: environment)
        // After a signal nobody may be there to press Enter (SIGHUP: the terminal is gone); a signal while the
        // report is shown ends the process the same way.
        let endSignal = stoppedBy ?? showReport(shiftReport.screenLines(calendar: script.calendar).joined(separator: "\n"), on: screen, renderer: renderer)
        screen.close()
        if let endSignal { writeError(Catalogue.Report.stoppedBySignal(TerminalScreen.name(ofSignal: endSignal))) }
        if let themeWarning { writeError(themeWarning) }
        if let message = debugLog?.closingMessage { writeError(message) }
        var failed = false
        switch saved {
        case .success(let paths): writeLine(Catalogue.Report.saved(paths[0], paths[1]))
        case .failure(let error):
            failed = true
            writeError(error.message)
            writeError(Catalogue.Report.printedInstead)
            writeLine(shiftReport.markdown)
        }
        writeError(Catalogue.Terminal.sessionEnded(seed: seed))
        if let endSignal { TerminalScreen.endProcess(bySignal: endSignal) }
        if failed { throw ExitCode(1) }
    }
}

extension Train {
    struct ReportSaveError: Error {
        var message: String
    }

    /// Writes the report as Markdown and JSON; both paths, or what failed.
    func save(_ report: ShiftReport, environment: [String: String]) -> Result<[String], ReportSaveError> {
        let directory: String
        if let explicit = self.report {
            directory = explicit.contains("/") ? String(explicit[..<(explicit.lastIndex(of: "/") ?? explicit.endIndex)]) : "."
        } else {
            guard let found = ReportFile.defaultDirectory(environment: environment) else {
                return .failure(ReportSaveError(message: Catalogue.Report.noHome))
            }
            directory = found
        }
        do {
            if !directory.isEmpty, directory != "." { try ReportFile.createDirectory(directory) }
        } catch {
            return .failure(ReportSaveError(message: error.message))
        }
        let base = ReportFile.base(explicit: self.report, directory: directory, started: report.started)
        return ReportFile.save(report, base: base).mapError { ReportSaveError(message: $0.message) }
    }

    /// Shows the report until Enter, Esc, F10 or the end of input; arrows and page keys scroll. A terminating
    /// signal ends it too (the report is already saved) and is returned.
    func showReport(_ text: String, on screen: TerminalScreen, renderer: Renderer) -> Int32? {
        var first = 0
        while screen.stopSignal == nil {
            let size = screen.size
            screen.draw(renderer.renderReport(text, width: size.width, height: size.height, first: first))
            switch screen.read() {
            case .key(.enter), .key(.escape), .key(.function(10)), .key(.control("c")), .endOfInput: return nil
            case .key(.down), .key(.pageDown): first += 1
            case .key(.up), .key(.pageUp): first = max(0, first - 1)
            default: continue
            }
        }
        return screen.stopSignal
    }
}

/// `loket report FILE.json`: prints a saved shift report again.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Print a saved shift report (the .json file) as Markdown.")

    @Argument(help: "The report's JSON file.")
    var file: String

    func run() throws {
        // A reader that goes away (`| head`) ends the command quietly with status 0, as in `loket engine`.
        signal(SIGPIPE, SIG_IGN)
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
        signal(SIGPIPE, SIG_IGN)
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

#if canImport(Glibc)
/// glibc's `malloc_trim`, which the Glibc module does not export (it lives in `malloc.h`).
@_silgen_name("malloc_trim")
private func releaseFreedHeap(_ pad: Int) -> Int32
#endif
