import Foundation

@testable import LoketCore

/// What most suites start from, loaded and trained once for the whole test run.
enum Fixtures {
    private static let sharedEngine = Result<Engine, any Error> { Engine(script: try ScriptLoader.loadDefault()) }
    private static let sharedScenarios = Result<[Scenario], any Error> { try ScenarioLoader.loadDefault() }

    /// Monday 30 November 2026, 08:00 WIB: a working day with a working day after it.
    static let mondayMorning = Date(timeIntervalSince1970: 1_796_000_400)

    static func engine() throws -> Engine { try sharedEngine.get() }
    static func scenarios() throws -> [Scenario] { try sharedScenarios.get() }
}
