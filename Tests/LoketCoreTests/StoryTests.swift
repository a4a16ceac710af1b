import Testing

@testable import LoketCore

@Suite("Conversation stories")
struct StoryTests {
    @Test func bundledStoriesAllPass() throws {
        let engine = try Fixtures.engine()
        let stories = try StoryLoader.loadDefault()
        #expect(stories.count >= 30)
        #expect(stories.contains { $0.name == "reference dialogue, verbatim" })
        let report = StoryEvaluator.evaluate(stories, engine: engine, source: StoryLoader.defaultStoriesName)
        #expect(report.failures.isEmpty, "\(report.failures.joined(separator: "\n"))")
        #expect(report.intents.total >= 60)
        #expect(report.topChecked >= 50)
    }

    @Test func evaluationReportsFailuresAndScores() throws {
        let engine = try Fixtures.engine()
        let stories = try StoryLoader.parse("""
            [[story]]
            name = "wrong on purpose"
            [[story.turn]]
            citizen = "jam buka kantor jam berapa?"
            intent = "ask_cost"
            service = "nib"
            reply = "farewell"
            replies = ["receipt"]
            """, source: "wrong.toml")
        let report = StoryEvaluator.evaluate(stories, engine: engine, source: "wrong.toml")
        #expect(report.failures.count == 4)
        #expect(report.failures[0].hasPrefix("wrong.toml:3 [wrong on purpose]"))
        let scores = report.intents.scores
        #expect(scores.first { $0.label == "ask_cost" }?.recall == 0)
        #expect(scores.first { $0.label == "ask_hours" }?.precision == 0)
        #expect(report.text.contains("ask_cost → ask_hours: 1"))
    }

    @Test func badStoryFilesNameLineAndKey() {
        #expect(throws: DataFileError.self) { try StoryLoader.parse("[[story]]\nname = \"x\"\n", source: "s.toml") }
        do {
            _ = try StoryLoader.parse(
                "[[story]]\nname = \"x\"\n[[story.turn]]\ncitizen = \"halo\"\nreply = \"dance\"\n", source: "s.toml")
            Issue.record("accepted an unknown reply kind")
        } catch {
            #expect(error.line == 5)
            #expect(error.key == "story \"x\".turn.reply")
        }
    }

    @Test func labelScoresAreComputedCorrectly() {
        var counter = ConfusionCounter()
        counter.add(expected: "a", predicted: "a")
        counter.add(expected: "a", predicted: "b")
        counter.add(expected: "b", predicted: "b")
        counter.add(expected: "b", predicted: "b")
        let a = counter.scores.first { $0.label == "a" }
        let b = counter.scores.first { $0.label == "b" }
        #expect(a?.precision == 1)
        #expect(a?.recall == 0.5)
        #expect(b?.precision == 2.0 / 3.0)
        #expect(b?.recall == 1)
        #expect(counter.accuracy == 0.75)
    }
}
