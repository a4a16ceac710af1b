import Foundation
import LoketCore
import Testing

@testable import LoketUI

/// What `loket live` shows of a WhatsApp conversation: the 24-hour window and how far each reply got.
@Suite("WhatsApp on the counter screen")
struct WhatsAppScreenTests {
    static let start = ScreenFixture.start
    let engine: Engine
    let renderer: Renderer

    init() throws {
        let script = try ScriptLoader.loadDefault()
        engine = Engine(script: script)
        renderer = Renderer(calendar: script.calendar)
    }

    private func liveChat() -> AppState {
        var state = AppState(now: Self.start, width: 100, height: 20, live: true, idPrefix: "t")
        for event: CitizenEvent in [
            .arrived(key: "wa-628123", name: "Sari Dewi", honorific: nil, priority: false, scenario: nil),
            .replyWindow(key: "wa-628123", until: Self.start.addingTimeInterval(24 * 3600 - 60)),
            .citizenSaid(key: "wa-628123", text: "Halo, saya mau tanya izin usaha", time: Self.start, view: nil),
        ] {
            _ = state.update(.citizen(event), engine: engine)
        }
        return state
    }

    private func lines(_ state: AppState) -> [String] { renderer.render(state).buffer.lines }

    @Test func theWindowShowsTimeLeftAndWarnsInTheLastHour() {
        var state = liveChat()
        #expect(lines(state).contains { $0.contains("WhatsApp: sisa 23 jam 59 menit untuk membalas.") })
        #expect(lines(state)[2].hasPrefix("│  WA 23j salam"), "the queue marks WhatsApp chats with their window")
        _ = state.update(.tick(Self.start.addingTimeInterval(23 * 3600 + 30 * 60)), engine: engine)
        let frame = renderer.render(state).buffer
        #expect(frame.lines.contains { $0.contains("⚠ WhatsApp: sisa 29 menit untuk membalas") })
        let warning = (0..<frame.height).flatMap { y in (0..<frame.width).map { x in frame[x, y] } }.first {
            $0.character == "⚠"
        }
        #expect(warning?.style.role == Role.statusAlert, "the last hour stands out")
        #expect(frame.lines[2].hasPrefix("│  WA 29m salam"))
        #expect(frame[5, 2].style.role == Role.queueWarn)
        _ = state.update(.tick(Self.start.addingTimeInterval(24 * 3600)), engine: engine)
        #expect(lines(state).contains { $0.contains("WhatsApp: batas 24 jam sudah lewat") })
        #expect(lines(state)[2].hasPrefix("│  WA habis salam"))
        // A later message opens a new window; an earlier one never shortens it.
        _ = state.update(
            .citizen(.replyWindow(key: "wa-628123", until: Self.start.addingTimeInterval(48 * 3600))), engine: engine)
        _ = state.update(
            .citizen(.replyWindow(key: "wa-628123", until: Self.start.addingTimeInterval(3600))), engine: engine)
        #expect(lines(state).contains { $0.contains("WhatsApp: sisa 24 jam 0 menit untuk membalas.") })
    }

    @Test func aFileTheCitizenSentMakesThemWaitLikeAMessage() {
        var state = AppState(now: Self.start, width: 100, height: 20, live: true, idPrefix: "t")
        for event: CitizenEvent in [
            .arrived(key: "wa-1", name: "Ani", honorific: nil, priority: false, scenario: nil),
            .arrived(key: "wa-2", name: "Budi", honorific: nil, priority: false, scenario: nil),
            .citizenSent(key: "wa-2", text: "Warga mengirim dokumen lewat WhatsApp (\"NIB.pdf\").", time: Self.start),
        ] {
            _ = state.update(.citizen(event), engine: engine)
        }
        #expect(state.chats[1].waitingSince == Self.start)
        #expect(state.order.first == 1, "the waiting citizen comes first in the queue")
        #expect(state.chats[1].unread == 1)
        #expect(state.chats[1].messages.last?.author == .system)
    }

    @Test func aWebChatShowsNoWindow() {
        var state = AppState(now: Self.start, width: 100, height: 20, live: true, idPrefix: "t")
        _ = state.update(
            .citizen(.arrived(key: "k-1", name: "Budi", honorific: nil, priority: false, scenario: nil)), engine: engine
        )
        _ = state.update(.citizen(.citizenSaid(key: "k-1", text: "Halo", time: Self.start, view: nil)), engine: engine)
        #expect(!lines(state).contains { $0.contains("WhatsApp") })
    }

    @Test func repliesShowTheirStatusAndAFailureIsSaidOutLoud() {
        var state = liveChat()
        for character in "Selamat pagi, Ibu" { _ = state.update(.key(.character(character)), engine: engine) }
        let effects = state.update(.key(.enter), engine: engine)
        guard case .reply(_, _, _, let localID)? = effects.first(where: { if case .reply = $0 { true } else { false } })
        else {
            Issue.record("no reply sent")
            return
        }
        _ = state.update(.citizen(.delivered(localID: localID, view: nil)), engine: engine)
        _ = state.update(
            .citizen(.delivery(key: "wa-628123", localID: localID, status: .sent, reason: nil)), engine: engine)
        #expect(lines(state).contains { $0.contains("08:00 Anda ✓   Selamat pagi, Ibu") })
        _ = state.update(
            .citizen(.delivery(key: "wa-628123", localID: localID, status: .read, reason: nil)), engine: engine)
        _ = state.update(
            .citizen(.delivery(key: "wa-628123", localID: localID, status: .delivered, reason: nil)), engine: engine)
        #expect(state.chats[0].messages.last?.delivery == .read, "a late 'delivered' never takes back 'read'")
        #expect(lines(state).contains { $0.contains("08:00 Anda ✓✓  Selamat pagi, Ibu") })
        _ = state.update(
            .citizen(
                .delivery(
                    key: "wa-628123", localID: localID, status: .failed,
                    reason: "WhatsApp menolak balasan (kode 131026).")),
            engine: engine)
        let shown = lines(state)
        #expect(shown.contains { $0.contains("Anda ✗") })
        #expect(
            shown.contains { $0.contains("Balasan WhatsApp gagal terkirim. WhatsApp menolak balasan (kode 131026).") })
        // A colleague's reply (no local id) that failed is still said.
        _ = state.update(
            .citizen(.delivery(key: "wa-628123", localID: nil, status: .failed, reason: "Server mati.")), engine: engine
        )
        #expect(state.chats[0].messages.last?.text.contains("Server mati.") == true)
    }
}
