extension Catalogue {
    /// What the hub and the live screen say to citizens and officers (protocol errors, system messages).
    public enum Hub {
        public static let invalidJSON = "Pesan tidak dapat dibaca (bukan JSON yang sah)."
        public static let notAnObject = "Pesan harus berupa objek JSON."
        public static let invalidFrame = "Pesan tidak lengkap atau tidak sesuai."
        public static func unknownType(_ type: String) -> String { "Jenis pesan \"\(type.prefix(40))\" tidak dikenal." }
        public static func missingField(_ key: String) -> String { "Kolom \"\(key)\" wajib diisi." }
        public static func mustBeText(_ key: String) -> String { "Kolom \"\(key)\" harus berupa teks." }
        public static func mustBeNumber(_ key: String) -> String { "Kolom \"\(key)\" harus berupa bilangan bulat." }
        public static let idTooLong = "Kolom \"id\" paling panjang 128 karakter."
        public static let textTooLong = "Pesan terlalu panjang: paling banyak 4.000 karakter."
        public static let frameTooLarge = "Pesan terlalu besar: paling banyak 64 KiB."
        public static let emptyText = "Pesan kosong tidak dikirim."
        public static let surveyScore = "Nilai survei harus 1, 2, 3, atau 4."
        public static let rateLimited = "Terlalu banyak pesan dalam waktu singkat. Mohon tunggu sebentar, lalu kirim lagi."
        public static let helloFirst = "Kirim salam pembuka (hello) terlebih dahulu."
        public static let helloTwice = "Salam pembuka sudah diterima."
        public static let conversationNotFound = "Percakapan tidak ditemukan."
        public static let alreadyTaken = "Percakapan ini sudah ditangani petugas lain."
        public static let notYours = "Percakapan ini sedang ditangani petugas lain."
        public static let officerNotFound = "Petugas tujuan tidak ditemukan."
        public static let conversationClosed = "Percakapan sudah ditutup."
        public static let surveyNotOpen = "Survei dapat diisi setelah percakapan ditutup."
        public static let surveyDone = "Terima kasih, penilaian untuk percakapan ini sudah kami terima."
        public static let unknownResume = "Percakapan sebelumnya tidak ditemukan; percakapan baru dimulai."
        public static let unavailable = "Layanan sedang terganggu; pesan belum tersimpan. Mohon kirim ulang sebentar lagi."
        public static let shuttingDown = "Server sedang dimatikan sebentar; sambungan akan pulih otomatis."
        public static let unauthorized = "Sesi tidak sah atau sudah berakhir; silakan masuk lagi."
        public static let wrongCredentials = "Nama pengguna atau kata sandi salah."
        public static let tooManyLogins = "Terlalu banyak percobaan masuk. Coba lagi dalam satu menit."

        /// The system message a citizen gets at once when writing outside office hours.
        public static func officeClosed(office: String, hours: String) -> String {
            "Terima kasih telah menghubungi \(office). Saat ini di luar jam layanan (\(hours)). Pesan Anda sudah kami "
                + "simpan dan akan dijawab petugas pada jam layanan berikutnya."
        }

        /// Shown to the citizen when an officer closes the conversation.
        public static let closedBySystem = "Percakapan ini telah ditutup oleh petugas. Terima kasih."
        public static let surveyQuestion =
            "Bagaimana pendapat Bapak/Ibu tentang pelayanan kami? 1 Tidak baik, 2 Kurang baik, 3 Baik, 4 Sangat baik."
        public static let surveyThanks = "Terima kasih atas penilaian Bapak/Ibu."

        // WhatsApp: what officers read about a channel they cannot see directly.

        /// A free-form reply refused after Meta's customer-service window.
        public static let whatsAppWindowClosed =
            "Batas 24 jam WhatsApp sudah lewat: balasan bebas hanya dapat dikirim dalam 24 jam sejak pesan terakhir "
            + "warga. Balasan tidak dikirim. Tunggu warga menulis lagi, atau minta warga memakai halaman web atau "
            + "datang ke loket."
        public static let whatsAppNotConfigured =
            "WhatsApp belum diatur di hub ini; balasan tersimpan tetapi tidak terkirim."
        public static func whatsAppUnreachable(_ attempts: Int) -> String {
            "Server WhatsApp tidak dapat dihubungi setelah \(attempts) kali percobaan; balasan tidak terkirim."
        }
        /// Meta refused a reply; its own (English) title says why.
        public static func whatsAppRefused(code: Int, title: String?) -> String {
            let why = title.map { ": \(Printable.sanitized(String($0.prefix(200))))" } ?? ""
            return "WhatsApp menolak balasan (kode \(code)\(why))."
        }

        /// The system line officers see when a citizen sends something other than text over WhatsApp.
        public static func whatsAppArrival(type: String, details: JSON) -> String {
            let caption = details["caption"]?.stringValue ?? details["filename"]?.stringValue
            let quoted = caption.map { " (\"\(Printable.sanitized(String($0.prefix(200))))\")" } ?? ""
            switch type {
            case "location":
                let place = [details["name"]?.stringValue, details["address"]?.stringValue].compactMap { $0 }
                    .map { Printable.sanitized(String($0.prefix(200))) }
                let coordinates = [details["latitude"], details["longitude"]].compactMap { $0?.serialized }
                let described = place.isEmpty ? coordinates.joined(separator: ", ") : place.joined(separator: ", ")
                return "Warga mengirim lokasi lewat WhatsApp: \(described)."
            case "reaction", "unsupported", "system", "ephemeral", "request_welcome":
                return "Warga mengirim pesan WhatsApp yang tidak dapat ditampilkan di sini (\(type))."
            default:
                let label = whatsAppLabels[type] ?? "pesan jenis \(type)"
                return "Warga mengirim \(label) lewat WhatsApp\(quoted). Berkas tidak dapat dibuka di Loket; untuk "
                    + "berkas, minta warga memakai halaman web atau datang ke loket."
            }
        }

        private static let whatsAppLabels = [
            "image": "gambar", "document": "dokumen", "audio": "pesan suara", "voice": "pesan suara",
            "video": "video", "sticker": "stiker", "contacts": "kartu kontak",
        ]
    }
}

extension Catalogue {
    /// What `loket login`, `loket live` and `loket logout` tell the officer.
    public enum Live {
        public static let passwordPrompt = "Kata sandi: "
        public static let badURL = "alamat hub harus diawali http:// atau https://"
        public static func unreachable(_ hub: String, _ reason: String) -> String { "Hub \(hub) tidak dapat dihubungi: \(reason)" }
        public static func unexpectedStatus(_ status: Int) -> String { "Hub menjawab dengan kode \(status) yang tidak terduga." }
        public static func cannotSave(_ path: String, _ reason: String) -> String { "Sesi tidak dapat disimpan di \(path): \(reason)" }
        public static func loggedIn(_ name: String, _ hub: String, _ path: String) -> String {
            "Masuk sebagai \(name) di \(hub). Sesi disimpan di \(path)."
        }
        public static func notLoggedIn(_ hub: String?) -> String {
            "Belum masuk\(hub.map { " ke \($0)" } ?? ""). Jalankan dulu: loket login --hub URL --user NAMA"
        }
        public static let loggedOut = "Sesi dihapus."
        public static func missingLiveBinary(_ path: String) -> String {
            "loket: mode live ada di \(path), yang belum terpasang. Bangun dengan 'swift build' (semua produk) atau pasang loket-live di samping loket."
        }
        public static let noSession = "Tidak ada sesi tersimpan."
        public static let emptyPassword = "Kata sandi kosong."
        public static func unsent(_ count: Int) -> String {
            "Peringatan: \(count) pesan belum diterima hub saat keluar. Teksnya:"
        }
    }
}
