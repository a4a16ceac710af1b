import Testing

@testable import LoketCore

@Suite("Normalising and entities")
struct TextTests {
    let engine: Engine

    init() throws {
        engine = try Fixtures.engine()
    }

    @Test func normalisesCasePunctuationStretchingAndSlang() {
        let text = engine.normalizer.normalize("PAGIII Pak!! Sy udh bawa dok-nya, makasih 🙏")
        #expect(text.tokens == ["pagi", "bapak", "saya", "sudah", "bawa", "dokumen", "nya", "terima", "kasih", "terima", "kasih"])
        #expect(text.segments.count == 3)
        #expect(engine.normalizer.normalize("gak").tokens == ["tidak"])
        #expect(engine.normalizer.normalize("matur nuwun").tokens == ["terima", "kasih"])
        #expect(engine.normalizer.normalize("maaf").tokens == ["maaf"], "a double letter is a real letter")
        #expect(engine.normalizer.normalize("Café résumé").tokens == ["cafe", "resume"])
    }

    @Test func bounded() {
        let long = String(repeating: "izin usaha ", count: 1_000)
        #expect(engine.normalizer.normalize(long).tokens.count <= Normalizer.maximumScalars)
        #expect(engine.normalizer.normalize("").tokens.isEmpty)
        #expect(engine.normalizer.normalize("?!...").segments.isEmpty)
    }

    private func service(_ text: String) -> String? {
        engine.extractor.service(in: engine.normalizer.normalize(text).tokens)
    }

    @Test(arguments: [
        ("saya mau perpanjang izin usaha", "izin_usaha"), ("urus SIUP", "izin_usaha"), ("izin warung", "izin_usaha"),
        ("daftar NIB", "nib"), ("bikin akun OSS", "nib"), ("mau bikin IMB", "pbg"), ("persetujuan bangunan gedung", "pbg"),
        ("izin mendirikan bangunan", "pbg"), ("sertifikat laik fungsi", "slf"), ("SLF gedung", "slf"),
        ("pasang baliho", "reklame"), ("spanduk toko", "reklame"), ("papan nama", "reklame"), ("billboard", "reklame"),
        ("izin praktik dokter gigi", "sip"), ("perpanjang SIP bidan", "sip"), ("izin praktek perawat", "sip"),
        // Typos and suffixes.
        ("perpanjngan izin usha", "izin_usaha"), ("sertifikat laik fungsii", "slf"), ("balihonya", "reklame"),
        ("persetujuan bangunan gedungg", "pbg"),
    ])
    func findsServicesByAlias(text: String, expected: String) {
        #expect(service(text) == expected)
    }

    @Test(arguments: ["sip makasih", "selamat pagi", "saya mau tanya", "izin ke toilet", "nibble", "ijinkan saya"])
    func noServiceWhereNoneIsNamed(text: String) {
        #expect(service(text) == nil)
    }

    @Test func receiptNumbers() {
        let extractor = engine.extractor
        #expect(extractor.receiptNumber(in: "cek PTSP-20261125-0012 ya") == "PTSP-20261125-0012")
        #expect(extractor.receiptNumber(in: "nomornya ptsp 20261120 0003") == "PTSP-20261120-0003")
        #expect(extractor.receiptNumber(in: "PTSP202611200003") == "PTSP-20261120-0003")
        #expect(extractor.receiptNumber(in: "PTSP-20261345-0001") == nil, "month 13 is not a date")
        #expect(extractor.receiptNumber(in: "PTSP-2026112-0001") == nil)
        #expect(extractor.receiptNumber(in: "tidak ada nomor") == nil)
    }

    @Test(arguments: [
        ("nama saya Budi Santoso", "Budi Santoso", nil), ("Saya Pak Budi, mau tanya", "Budi", Honorific.bapak),
        ("ini Bu Sari", "Sari", .ibu), ("saya Sari Wulandari", "Sari Wulandari", nil),
        ("nama saya dewi", "Dewi", nil), ("dengan Mbak Rina? saya Ibu Rina", "Rina", .ibu),
    ])
    func introductions(text: String, name: String, honorific: Honorific?) {
        let found = engine.extractor.introduction(in: text)
        #expect(found.name == name)
        #expect(found.honorific == honorific)
    }

    @Test(arguments: ["Selamat pagi Pak", "saya mau urus izin", "ini KTP saya", "Saya pak, mau tanya", "SAYA MAU URUS IZIN"])
    func noNameWhereNoneIsGiven(text: String) {
        #expect(engine.extractor.introduction(in: text).name == nil)
    }
}
