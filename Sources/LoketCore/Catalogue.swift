import Foundation

/// Every Indonesian text Loket itself writes for officers and trainees (replies to citizens live in the script).
public enum Catalogue {
    public static let weekdays = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"]
    public static let months = [
        "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
        "November", "Desember",
    ]

    /// "Selasa, 1 Desember 2026".
    public static func longDate(_ date: CivilDate) -> String {
        "\(weekdays[date.weekday]), \(date.day) \(months[date.month - 1]) \(date.year)"
    }

    /// "Selasa, 1 Desember 2026 pukul 09.30 WIB".
    public static func dateTime(_ time: OfficeCalendar.LocalTime, zone: String) -> String {
        "\(longDate(time.date)) pukul \(twoDigits(time.hour)).\(twoDigits(time.minute)) \(zone)"
    }

    public static func salam(_ salam: OfficeCalendar.Salam) -> String { "Selamat \(salam.rawValue)" }

    /// "a", "a dan b", "a, b, dan c".
    public static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: ""
        case 1: items[0]
        case 2: "\(items[0]) dan \(items[1])"
        default: items.dropLast().joined(separator: ", ") + ", dan " + (items.last ?? "")
        }
    }

    public static func workingDays(_ count: Int) -> String { "\(count) hari kerja" }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Stage names as the officer reads them in the screen's title and the suggestion bar.
    public static func stage(_ stage: Stage) -> String {
        switch stage {
        case .greeting: "salam"
        case .identifyingNeed: "menggali kebutuhan"
        case .serviceRequested: "permohonan layanan"
        case .documentsRequested: "minta dokumen"
        case .documentsProvided: "dokumen diserahkan"
        case .documentsChecking: "cek dokumen"
        case .documentsIncomplete: "dokumen kurang"
        case .documentsComplete: "dokumen lengkap"
        case .receiptGiven: "tanda terima"
        case .closed: "selesai"
        case .complaint: "pengaduan"
        case .complaintFollowup: "tindak lanjut pengaduan"
        case .statusCheck: "cek status"
        }
    }

    /// The one-line reason shown with a suggestion.
    public enum Why {
        public static let greet = "Warga memberi salam: balas salam dan tawarkan bantuan."
        public static let openConversation = "Percakapan baru: sapa warga lebih dulu."
        public static func requestService(_ service: String) -> String {
            "Warga ingin mengurus \(service): minta dokumen persyaratannya."
        }
        public static func requirementsProactive(_ service: String) -> String {
            "Sampaikan persyaratan \(service) sebelum ditanya."
        }
        public static func durationProactive(_ service: String) -> String {
            "Sampaikan lama proses \(service) dan perkiraan tanggal selesai."
        }
        public static let unknownService = "Layanan belum jelas: tanyakan layanan yang dimaksud."
        public static let askRequirements = "Warga menanyakan persyaratan."
        public static let askDuration = "Warga menanyakan lama proses: beri durasi dan tanggal selesai."
        public static let askCost = "Warga menanyakan biaya."
        public static let askHours = "Warga menanyakan jam layanan."
        public static let askLocation = "Warga menanyakan alamat kantor."
        public static let askStatusWithReceipt = "Warga menanyakan status berkas dengan nomor tanda terima."
        public static let askStatusNoReceipt = "Warga menanyakan status: minta nomor tanda terima."
        public static let documentsProvided = "Warga menyerahkan dokumen: terima kasih, lalu periksa."
        public static let documentsChecked = "Dokumen lengkap: sampaikan lama proses dan tanyakan keperluan lain."
        public static let documentsMissing = "Bila ada dokumen kurang: sebutkan yang kurang dengan jelas."
        public static let documentsNotYet = "Dokumen belum dibawa: sampaikan persyaratan lengkapnya."
        public static let nothingElse = "Tidak ada keperluan lain: serahkan tanda terima dan tutup dengan sopan."
        public static let closeAfterReceipt = "Tanda terima sudah diserahkan: tutup percakapan dengan salam."
        public static let thanksOpen = "Warga berterima kasih: tawarkan bantuan lain."
        public static let farewell = "Warga berpamitan: balas dengan salam penutup."
        public static let offerMoreHelp = "Tawarkan bantuan lain sebelum menutup."
        public static let complaint = "Pengaduan: akui, minta maaf, jangan membela diri."
        public static let complaintReference = "Minta nomor berkas agar pengaduan bisa dicek."
        public static let complaintFollowup = "Janjikan tindak lanjut dengan batas waktu yang jelas."
        public static let confirmMore = "Warga masih punya pertanyaan: persilakan."
        public static let provideInfoService = "Warga menyebut layanan: lanjut minta dokumennya."
        public static let unclear = "Pesan belum jelas: minta penjelasan dengan sopan."
        public static let continueStage = "Lanjutkan tahap percakapan."
        public static func scriptIntent(_ intent: String) -> String { "Jawaban untuk maksud \(intent)." }
    }
}

extension Catalogue {
    /// "hari ini", for documents complete on a working day before closing.
    public static let today = "hari ini"
    /// For documents complete after closing or on a closed day.
    public static func nextWorkingDay(_ date: CivilDate) -> String { "pada hari kerja berikutnya, \(longDate(date))" }

    /// Words Loket adds to suggested replies itself.
    public enum Replies {
        /// "Waalaikumsalam, selamat pagi" in answer to "Assalamualaikum".
        public static func answeredSalam(_ salam: String) -> String { "Waalaikumsalam, \(salam.lowercased())" }
        /// After a nudge, before the answer to the pending question.
        public static func waitApology(honorific: String) -> String { "Mohon maaf menunggu, \(honorific)." }
    }

    /// What simulated citizens write when a scenario does not say: nudges after silence, asking again.
    public enum CitizenLines {
        public static let nudges = ["Halo? Masih ada petugas?", "Mohon dibalas ya, saya sudah menunggu dari tadi."]
        public static let retries = ["Maaf, pertanyaan saya belum terjawab.", "Jadi bagaimana ya?"]
        public static let impatient = ["Tolong dijawab yang jelas, saya sudah bertanya berulang kali!"]

        public static func nudges(english: Bool) -> [String] {
            english ? ["Hello? Is anyone there?", "Could you please reply? I have been waiting for a while."] : nudges
        }
        public static func retries(english: Bool) -> [String] {
            english ? ["Sorry, my question has not been answered.", "So what should I do?"] : retries
        }
        public static func impatient(english: Bool) -> [String] {
            english ? ["Please give me a clear answer, I have asked several times!"] : impatient
        }
        /// After a rude reply (an insult, talking down, brushing off, asking for money).
        public static func offended(english: Bool) -> [String] {
            english
                ? ["Excuse me? I do not appreciate being spoken to like that. I would like to file a complaint."]
                : ["Kok bahasanya begitu, Pak/Bu? Saya datang baik-baik minta dilayani. Saya mau mengadukan ini.",
                   "Maaf, saya tidak terima diperlakukan seperti itu. Tolong dilayani dengan sopan."]
        }
        /// After a second rude reply, just before leaving.
        public static func leavingOffended(english: Bool) -> String {
            english ? "This is unacceptable. I will report this service." : "Sudahlah, saya laporkan saja pelayanan ini."
        }
        /// After a reply that contradicts what the office publishes.
        public static func doubtFact(english: Bool) -> [String] {
            english
                ? ["Are you sure? That is not what your website says. Could you please check again?"]
                : ["Lho, bukannya di website tidak begitu? Mohon dicek lagi, Pak/Bu.",
                   "Apa benar begitu? Setahu saya informasinya lain. Mohon dipastikan."]
        }
        /// The answer to "anything else?" once everything is done.
        public static func nothingElse(english: Bool) -> [String] {
            english ? ["No, that is all. Thank you."] : ["Tidak ada, itu saja. Terima kasih.", "Sudah cukup, terima kasih banyak."]
        }
        /// Names for citizens once a scenario's own names are taken.
        public static func spareNames(_ honorific: Honorific?, english: Bool) -> [String] {
            if english { return ["Mr. Schmidt", "Ms. Laurent", "Mr. Kim", "Ms. O'Brien", "Mr. Haddad"] }
            switch honorific {
            case .ibu: return ["Dewi Lestari", "Rina Marlina", "Siti Aminah", "Yuliani", "Nur Hasanah", "Fitri Handayani"]
            default: return ["Agus Salim", "Bambang Riyadi", "Joko Susilo", "Rudi Hartono", "Wahyu Nugroho", "Eko Prasetyo"]
            }
        }
        /// The time-of-day greeting a citizen writes.
        public static func salam(_ salam: OfficeCalendar.Salam, english: Bool) -> String {
            guard english else { return Catalogue.salam(salam) }
            return switch salam {
            case .pagi: "Good morning"
            case .siang, .sore: "Good afternoon"
            case .malam: "Good evening"
            }
        }
    }

    /// What a citizen's question is about, for "Jawab dulu pertanyaan warga tentang …".
    public static func topic(of intent: Intent) -> String {
        switch intent {
        case .askHours: "jam layanan"
        case .askLocation: "alamat dan kontak kantor"
        case .askCost: "biaya"
        case .askDuration: "lama proses"
        case .askRequirements: "persyaratan"
        case .askStatus: "status berkasnya"
        case .requestService: "layanan yang ingin diurus"
        case .provideDocuments: "dokumen yang dikirim"
        case .provideInfo: "informasi yang disampaikan"
        case .complaint: "keluhannya"
        default: "hal yang ditanyakan"
        }
    }

    /// Intent names as the officer reads them in the chat title.
    public static func intent(_ intent: Intent) -> String {
        switch intent {
        case .greet: "salam"
        case .requestService: "minta layanan"
        case .askRequirements: "tanya syarat"
        case .askDuration: "tanya lama proses"
        case .askCost: "tanya biaya"
        case .askStatus: "cek status"
        case .askHours: "tanya jam layanan"
        case .askLocation: "tanya alamat"
        case .provideDocuments: "kirim dokumen"
        case .provideInfo: "beri informasi"
        case .confirm: "ya"
        case .deny: "tidak"
        case .thanks: "terima kasih"
        case .goodbye: "pamit"
        case .complaint: "pengaduan"
        case .nudge: "menagih jawaban"
        case .unknown: "belum jelas"
        default: intent.rawValue
        }
    }

    /// The screen's own words.
    public enum Screen {
        public static let queueTitle = "Antrian"
        public static func citizenLabel(_ number: Int) -> String { "Warga \(number)" }
        public static let you = "Anda"
        public static let system = "Sistem"
        public static func intentLabel(_ intent: String) -> String { "maksud: \(intent)" }
        public static let coach = "Pelatih"
        public static func coachVerdict(score: Int, tip: String?) -> String {
            "Skor \(score)" + (tip.map { " · \($0)" } ?? " · Bagus, pertahankan.")
        }
        /// The transcript's coach line: the score and every tip, most serious first, so none is out of reach.
        public static func coachVerdict(score: Int, tips: [String]) -> String {
            tips.isEmpty ? coachVerdict(score: score, tip: nil) : "Skor \(score) · " + tips.joined(separator: " · ")
        }
        public static let noConversation = "Belum ada percakapan. Warga akan segera datang…"
        public static let typing = "sedang mengetik…"
        public static let newMessages = "▼ pesan baru"
        public static let suggestions = "Saran"
        public static let noSuggestions = "Tidak ada saran untuk saat ini."
        public static let suggestionsHidden = "Saran disembunyikan (mode ujian)."
        public static let why = "Alasan"
        public static let tooSmall = "Terminal terlalu kecil"
        public static func minimumSize(_ width: Int, _ height: Int) -> String { "minimal \(width)×\(height)" }
        public static func counts(waiting: Int, active: Int, done: Int) -> String {
            "\(waiting) menunggu · \(active) aktif · \(done) selesai"
        }
        public static func waitingOnly(_ waiting: Int) -> String { "\(waiting) menunggu" }
        public static let statusKeys = "F1 Bantuan  Tab Saran  Enter Kirim  ^N/^P Antrian  F10 Keluar"
        public static let confirmQuit = "Ada draf yang belum terkirim. Tetap keluar? (y = ya, n = batal)"
        public static let citizenLeft = "Warga meninggalkan percakapan."
        public static let citizenFinished = "Urusan warga selesai."
        public static let helpTitle = "Bantuan"
        public static let help: [(key: String, action: String)] = [
            ("Tab", "masukkan saran berikutnya ke baris ketik"),
            ("Shift-Tab", "saran sebelumnya"),
            ("Enter", "kirim pesan"),
            ("Ctrl-N / Ctrl-P", "percakapan berikutnya / sebelumnya"),
            ("PgUp / PgDn", "gulir riwayat percakapan"),
            ("↑ / ↓", "riwayat pesan terkirim ke warga ini"),
            ("← → Home End", "geser kursor"),
            ("Backspace / Del", "hapus karakter"),
            ("Ctrl-U / Ctrl-W", "hapus ke awal baris / hapus kata"),
            ("F2", "tampilkan alasan saran"),
            ("F3", "ambil percakapan (mode live)"),
            ("F4", "simpan baris ketik sebagai catatan internal (mode live)"),
            ("F5", "alihkan ke petugas yang namanya di baris ketik; kosong: kembali ke antrian (mode live)"),
            ("F6", "tutup percakapan (mode live)"),
            ("F7", "ke warga yang paling lama menunggu jawaban"),
            ("F8", "baca percakapan yang sudah selesai (tekan lagi: yang sebelumnya)"),
            ("F1 / Esc", "buka / tutup bantuan"),
            ("F10 / Ctrl-C", "keluar"),
        ]
        public static let helpFooter = "Huruf dan angka selalu masuk ke baris ketik."
        public static let youPending = "Anda…"
        public static let noFinished = "Belum ada percakapan yang selesai."
        public static let liveOnly = "Tombol ini hanya untuk mode live."
        public static let noteNeedsText = "Tulis catatan di baris ketik, lalu tekan F4."
        public static func noteBy(_ officer: String, _ text: String) -> String { "Catatan internal (\(officer)): \(text)" }
        public static func surveyResult(_ score: Int, _ comment: String?) -> String {
            "Survei warga: \(score) dari 4" + (comment.map { " — \($0)" } ?? "")
        }
        public static func colleagueLine(_ officer: String, _ text: String) -> String { "[\(officer)] \(text)" }
        public static func notSent(_ reason: String) -> String { "Tidak terkirim: \(reason)" }
        /// A reply that WhatsApp did not deliver.
        public static func whatsAppFailed(_ reason: String) -> String { "Balasan WhatsApp gagal terkirim. \(reason)" }
        /// The author column of an officer's WhatsApp reply: ✓ sent, ✓✓ delivered (read: the same, highlighted),
        /// ✗ failed.
        public static func youWithDelivery(_ delivery: ChatMessage.Delivery) -> String {
            switch delivery {
            case .sent: "Anda ✓"
            case .delivered, .read: "Anda ✓✓"
            case .failed: "Anda ✗"
            }
        }
        /// The WhatsApp chat's footer: how long free-form replies remain possible.
        public static func whatsAppWindow(_ remaining: TimeInterval) -> String {
            let minutes = Int((remaining / 60).rounded(.up))
            if minutes <= 60 {
                return "⚠ WhatsApp: sisa \(minutes) menit untuk membalas; setelah itu balasan ditolak."
            }
            return "WhatsApp: sisa \(minutes / 60) jam \(minutes % 60) menit untuk membalas."
        }
        /// The queue's mark for a WhatsApp chat: "WA", then the reply window left ("WA 5j", "WA 42m", "WA habis").
        public static func whatsAppQueueMark(_ remaining: TimeInterval) -> String {
            if remaining <= 0 { return "WA habis" }
            let minutes = Int((remaining / 60).rounded(.up))
            return minutes <= 60 ? "WA \(minutes)m" : "WA \(minutes / 60)j"
        }
        public static let whatsAppWindowOver =
            "WhatsApp: batas 24 jam sudah lewat; balasan ditolak sampai warga menulis lagi."
        public static func handledBy(_ officer: String) -> String { "ditangani \(officer)" }
        public static let disconnected = "terputus — menyambung ulang…"
        public static func pendingCount(_ count: Int) -> String { "\(count) menunggu terkirim" }
    }
}

extension Catalogue {
    /// One-line refusals when the screen cannot start.
    public enum Terminal {
        public static let notATerminal = "loket: layar loket butuh terminal interaktif (stdin dan stdout bukan terminal)"
        public static let noTerm = "loket: variabel TERM kosong; jalankan di terminal seperti xterm-256color"
        public static func cannotAddressCursor(_ term: String) -> String {
            "loket: terminal '\(term)' tidak dikenal atau tidak mendukung layar penuh; coba TERM=xterm-256color"
        }
        public static func unknownTerm(_ term: String) -> String {
            "loket: terminal '\(term)' tidak dikenal; coba TERM=xterm-256color"
        }
        public static func sessionEnded(seed: UInt64) -> String {
            "Sesi latihan selesai. Ulangi sesi yang sama dengan --seed \(seed)."
        }
        public static func themeFallback(_ error: String) -> String {
            "loket: tema tidak dapat dipakai, kembali ke tema default: \(error)"
        }
        public static func themeFallbackShort(_ name: String) -> String {
            "Tema '\(name)' tidak dapat dipakai; memakai tema default. Rinciannya tampil saat keluar."
        }
        public static func logStopped(_ path: String, _ reason: String) -> String {
            "loket: log debug ke \(path) dihentikan (\(reason)); sesi tetap berjalan sampai selesai."
        }
        public static let noUTF8Locale =
            "loket: terminal ini tidak memakai UTF-8 (LANG/LC_ALL) dan locale C.UTF-8 tidak tersedia; jalankan dengan LANG=C.UTF-8 atau locale UTF-8 lain"
    }
}

extension Catalogue {
    /// The coach's tips: each says what to do instead.
    public enum CoachTips {
        public static func slow(minutes: Int, target: Int) -> String {
            "Balas lebih cepat: warga menunggu \(minutes) menit; usahakan di bawah \(max(target / 60, 1)) menit."
        }
        public static let overLimit = "Balasan melewati standar 1×24 jam: minta maaf dan segera tindak lanjuti."
        public static func salam(_ salam: String) -> String { "Awali dengan salam sesuai waktu, misalnya \"\(salam)\"." }
        public static func answerSalam(_ salam: String) -> String { "Balas salam warga, misalnya \"\(salam)\"." }
        public static func wrongSalam(_ salam: String) -> String { "Salam tidak sesuai waktu: sekarang \"\(salam)\"." }
        public static let honorific = "Sapa warga dengan \"Bapak/Ibu\" atau namanya."
        public static let courtesy = "Tambahkan kata santun seperti \"terima kasih\", \"mohon\" atau \"silakan\"."
        public static let apology = "Awali dengan permintaan maaf saat menanggapi keluhan atau keterlambatan."
        public static let allCaps = "Jangan menulis dengan huruf kapital semua; terkesan membentak."
        public static let tooShort = "Jawab dengan kalimat lengkap yang menjelaskan, bukan satu-dua kata."
        public static func vague(_ phrase: String) -> String {
            "Hindari \"\(phrase)\": sebutkan langkah berikutnya dan kapan warga mendapat kabar."
        }
        public static func rude(_ phrase: String) -> String {
            "Hindari \"\(phrase)\": jangan menyalahkan warga; jelaskan dengan sabar."
        }
        public static func jargon(_ term: String) -> String { "Jelaskan istilah \"\(term)\" dengan bahasa sederhana." }
        public static let longSentence = "Pecah kalimat panjang menjadi kalimat pendek yang mudah dipahami."
        public static let giveDuration = "Sebutkan lama proses dan perkiraan tanggal selesai."
        public static let giveReceipt = "Sertakan nomor tanda terima agar warga bisa mengecek status."
        public static let offerHelpFirst = "Tawarkan bantuan lain (\"Ada lagi yang bisa kami bantu?\") sebelum menutup."
        public static let followupTime = "Sebutkan kapan tindak lanjut dikabarkan, misalnya \"paling lambat besok pukul 12.00\"."
        public static let acknowledgeComplaint = "Tanggapi keluhan warga lebih dulu: akui dan minta maaf."
        public static func insult(_ word: String) -> String {
            "Jangan menghina warga (\"\(word)\"): hinaan merusak kepercayaan; layani dengan hormat apa pun keadaannya."
        }
        public static func condescension(_ phrase: String) -> String {
            "Jangan merendahkan warga (\"\(phrase)\"): jelaskan sendiri dengan sabar apa yang ditanyakan."
        }
        public static func buckPassing(_ phrase: String) -> String {
            "Jangan melempar warga (\"\(phrase)\"): bantu sendiri, atau sebutkan ke siapa dan bagaimana menghubunginya."
        }
        public static let unofficialPayment = "Dilarang meminta uang di luar ketentuan: biaya hanya sesuai ketentuan resmi dan dibayar melalui bank, bukan kepada petugas; gratifikasi dan pungli dilarang."
        public static func wrongFee(service: String, fee: String) -> String {
            "Periksa fakta biaya: untuk \(service), \(fee)"
        }
        public static func wrongDuration(service: String, duration: String) -> String {
            "Periksa fakta lama proses: \(service) membutuhkan \(duration)."
        }
        public static func wrongFact(_ label: String, _ right: String) -> String { "Periksa fakta \(label): \(right)." }
        public static let hoursLabel = "jam layanan"
        public static let addressLabel = "alamat"
        public static let contactLabel = "kontak"
        public static let receiptLabel = "nomor tanda terima"
        public static func answerFirst(_ topic: String) -> String { "Jawab dulu pertanyaan warga tentang \(topic)." }
    }
}

extension Catalogue {
    /// "0:45", "12:05", "1:02:05".
    /// "–" for a time that cannot be one (negative, not a number): a report file may say anything.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        // Past a hundred days it is a damaged report, not a wait (and 1e300 would not fit an Int).
        guard seconds < 8_640_000 else { return "> 100 hari" }
        let total = Int(seconds.rounded())
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        if total >= 3600 { return "\(total / 3600):\(two(total / 60 % 60)):\(two(total % 60))" }
        return "\(total / 60):\(two(total % 60))"
    }

    /// Words of the end-of-shift report.
    public enum Report {
        public static let title = "Laporan Sesi Latihan Loket"
        public static let period = "Waktu"
        public static let exam = "mode ujian"
        public static let totals = "Ringkasan"
        public static let measure = "Ukuran"
        public static let value = "Nilai"
        public static let conversations = "Percakapan"
        public static let replies = "Balasan"
        public static let firstResponseMedian = "Median waktu balasan pertama"
        public static let firstResponse = "Balasan pertama"
        public static let responseMedian = "Median waktu balas"
        public static let responseWorst = "Waktu balas terlama"
        public static let score = "Skor"
        public static let perConversation = "Per percakapan"
        public static let citizen = "Warga"
        public static let outcome = "Hasil"
        public static let stages = "Tahap tercakup"
        public static let tips = "Saran pelatih yang paling sering"
        public static let noTips = "Tidak ada saran: semua balasan sudah baik."
        public static let tipsPerConversation = "Saran per percakapan"
        public static let stageGreeting = "salam"
        public static let stageDocuments = "dokumen"
        public static let stageReceipt = "tanda terima"
        public static let stageFarewell = "penutup"
        public static let stageComplaint = "pengaduan ditangani"
        public static let complaintNotHandled = "pengaduan belum tuntas"
        public static func outcome(_ status: CitizenChat.Status) -> String {
            switch status {
            case .active: "masih berlangsung"
            case .finished: "selesai"
            case .left: "warga pergi"
            }
        }
        public static func saved(_ markdown: String, _ json: String) -> String {
            "Laporan tersimpan: \(markdown) dan \(json)"
        }
        public static let closeHint = "Tekan Enter atau F10 untuk menutup laporan."
        public static func cannotCreateFolder(_ path: String, _ reason: String) -> String {
            "loket: laporan tidak dapat disimpan: folder \(path) tidak dapat dibuat (\(reason))."
        }
        public static func cannotWrite(_ path: String, _ reason: String) -> String {
            "loket: laporan tidak dapat disimpan ke \(path) (\(reason))."
        }
        public static func partlySaved(_ paths: [String]) -> String { "Yang sudah tersimpan: \(list(paths))." }
        public static let noHome =
            "loket: laporan tidak dapat disimpan: HOME tidak diatur dan folder rumah tidak diketahui; pakai --report FILE."
        public static let printedInstead = "loket: laporan dicetak ke keluaran standar agar tidak hilang."
        public static func stoppedBySignal(_ name: String) -> String { "loket: sesi dihentikan oleh sinyal \(name)." }
    }
}

extension Catalogue {
    /// Messages of the command-line commands on standard error.
    public enum Command {
        /// A system error number in words an officer can act on.
        public static func reason(errno code: Int32) -> String {
            switch code {
            case ENOSPC: "disk penuh"
            case EDQUOT: "kuota disk habis"
            case EACCES, EPERM: "tidak ada izin"
            case EROFS: "sistem berkas hanya bisa dibaca"
            case ENOENT: "folder atau berkas tidak ada"
            case ENOTDIR: "sebagian jalurnya bukan folder"
            case EEXIST: "sudah ada berkas dengan nama itu"
            case EISDIR: "itu sebuah folder, bukan berkas"
            case EBADF: "berkas tertutup"
            case EIO: "galat masukan/keluaran perangkat"
            case ENAMETOOLONG: "nama terlalu panjang"
            default: "galat sistem \(code)"
            }
        }

        public static let inputClosed = "loket engine: masukan standar tertutup; tidak ada yang bisa dibaca"
        public static let outputClosed = "loket: keluaran standar tertutup; tidak ada tempat untuk menulis"
        public static func inputFailed(_ code: Int32) -> String {
            "loket engine: gagal membaca masukan standar: \(reason(errno: code))"
        }
        public static func outputFailed(_ code: Int32) -> String {
            "loket: gagal menulis ke keluaran standar: \(reason(errno: code))"
        }
    }
}

extension Catalogue {
    /// Refusals of command-line options whose values are out of range.
    public enum Options {
        public static func outOfRange(_ option: String, _ low: String, _ high: String) -> String {
            "\(option) harus antara \(low) dan \(high)"
        }
        public static let breachAfterWarn = "--breach-after harus lebih besar daripada --warn-after"
        public static let shiftFormat = "--shift memakai durasi seperti 15m, 90s atau 1h"
    }
}
