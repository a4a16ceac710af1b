import Foundation
import LoketCore
import LoketHub
import LoketLive
import LoketWire
import Testing

@Suite("The officer's hub link", .serialized)
struct HubLinkTests {
    /// Polls the link until `predicate` matches one of the events it produced (all of them are returned).
    private func await(_ link: HubLink, seconds: Double = 30, _ predicate: (CitizenEvent) -> Bool) async throws -> [CitizenEvent] {
        var seen: [CitizenEvent] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let events = link.drain()
            seen += events
            if events.contains(where: predicate) { return seen }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw HarnessError(description: "link did not produce the event; saw \(seen)")
    }

    @Test func citizensArriveWithTheHubsViewAndRepliesAreDeliveredOnceAcrossADroppedConnection() async throws {
        try await withHub { hub in
            let token = try await hub.officerToken("ani")
            let link = HubLink(hub: hub.baseURL, token: token, username: "ani")
            link.start()
            _ = try await self.await(link) { $0 == .connection(problem: nil) }

            let (citizen, welcome) = try await hub.citizen(name: "Budi Santoso")
            let conversation = try #require(welcome["conversation"]?.stringValue)
            citizen.send(CitizenCommand.message(id: "1", text: "Selamat pagi, saya mau urus NIB").frame.serialized)
            let events = try await self.await(link) { if case .citizenSaid = $0 { true } else { false } }
            #expect(events.contains(.arrived(key: conversation, name: "Budi Santoso", honorific: .bapak, priority: false, scenario: nil)))
            guard case .citizenSaid(_, let text, _, let view)? = events.last(where: { if case .citizenSaid = $0 { true } else { false } }) else {
                Issue.record("no citizen message")
                return
            }
            #expect(text == "Selamat pagi, saya mau urus NIB")
            #expect(view?.serviceID == "nib")
            #expect(view?.suggestions.isEmpty == false)

            // The hub drops every connection; a reply submitted around it is delivered exactly once.
            await hub.hub.disconnectAll()
            _ = try await self.await(link) { $0 == .connection(problem: Catalogue.Screen.disconnected) }
            link.submit(.reply(key: conversation, text: "Selamat pagi, Bapak Budi.", kind: .greeting, localID: "ani-test-1"))
            let after = try await self.await(link) { if case .delivered(localID: "ani-test-1", _) = $0 { true } else { false } }
            #expect(after.contains(.connection(problem: nil)))
            #expect(link.unacknowledged.isEmpty)
            let stored = try await hub.store.events(conversation: conversation).filter { $0.text == "Selamat pagi, Bapak Budi." }
            #expect(stored.count == 1)

            // A refused command comes back as such, with the hub's reason.
            link.submit(.transfer(key: conversation, to: "tidak-ada", localID: "ani-test-2"))
            let refused = try await self.await(link) { if case .refused(localID: "ani-test-2", _) = $0 { true } else { false } }
            #expect(refused.contains(.refused(localID: "ani-test-2", reason: Catalogue.Hub.officerNotFound)))
            await link.stop()
            await citizen.close()
        }
    }

    @Test func aLiveScreenShowsPendingRepliesAndTheHubsSuggestions() throws {
        let start = officeOpenTime
        var state = AppState(now: start, width: 100, height: 30, live: true, idPrefix: "t")
        let view = RemoteView(
            stage: .serviceRequested, intent: .requestService, serviceID: "nib",
            suggestions: [Suggestion(kind: .askDocuments, text: "Mohon kirim KTP, Bapak.", why: "dari hub")])
        _ = state.update(.citizen(.arrived(key: "k1", name: "Budi", honorific: .bapak, priority: false, scenario: nil)), engine: sharedEngine)
        _ = state.update(.citizen(.citizenSaid(key: "k1", text: "mau urus NIB", time: start, view: view)), engine: sharedEngine)
        #expect(state.selectedChat?.key == "k1")
        #expect(state.suggestions.map(\.text) == ["Mohon kirim KTP, Bapak."])
        #expect(state.selectedChat?.conversation.stage == .serviceRequested)
        _ = state.update(.key(.tab), engine: sharedEngine)
        let effects = state.update(.key(.enter), engine: sharedEngine)
        #expect(effects == [.reply(key: "k1", text: "Mohon kirim KTP, Bapak.", kind: .askDocuments, localID: "t-1")])
        #expect(state.selectedChat?.messages.last?.pending == true)
        #expect(state.selectedChat?.replies.isEmpty == true, "no coach in live mode")
        _ = state.update(.citizen(.connection(problem: Catalogue.Screen.disconnected)), engine: sharedEngine)
        #expect(state.connectionProblem == Catalogue.Screen.disconnected)
        _ = state.update(.citizen(.delivered(localID: "t-1", view: nil)), engine: sharedEngine)
        #expect(state.selectedChat?.messages.last?.pending == false)
        #expect(state.selectedChat?.waitingSince == nil)
        _ = state.update(.citizen(.finished(key: "k1")), engine: sharedEngine)
        #expect(state.order.isEmpty)
        _ = state.update(.citizen(.citizenSaid(key: "k1", text: "satu lagi", time: start, view: nil)), engine: sharedEngine)
        #expect(state.order == [0], "writing again reopens the conversation")
    }
}
