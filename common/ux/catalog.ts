/** @module The registry of user-facing error codes: title, what happened and what to do, in English and Indonesian. */
import { ErrorCode } from "../errors.js";
import type { Lang } from "./lang.js";

/** The three sentences a person reads. `{module}` in chain texts is replaced by the module's name. */
export interface ErrorText {
  readonly title: string;
  readonly whatHappened: string;
  readonly whatToDo: string;
}

export type CatalogEntry = Readonly<Record<Lang, ErrorText>>;

/** Codes only the user-facing layer uses (command line, transport, chain results); only ever add. */
export const UxCode = {
  UnknownCommand: "DSDN_UNKNOWN_COMMAND",
  Usage: "DSDN_USAGE",
  Network: "DSDN_NETWORK",
  ChainTxFailed: "DSDN_CHAIN_TX_FAILED",
  ChainRefused: "DSDN_CHAIN_REFUSED",
} as const;
export type UxCode = (typeof UxCode)[keyof typeof UxCode];

const e = (en: ErrorText, id: ErrorText): CatalogEntry => ({ en, id });

/** Every off-chain code. Typed as a total record, so a new ErrorCode without texts does not compile. */
const OFF_CHAIN: Record<ErrorCode | UxCode, CatalogEntry> = {
  [ErrorCode.Internal]: e(
    {
      title: "Unexpected error",
      whatHappened: "Something went wrong inside DSDN that we did not expect.",
      whatToDo: "Try again. If it keeps happening, run the command again with --verbose and report the output.",
    },
    {
      title: "Galat tak terduga",
      whatHappened: "Terjadi masalah di dalam DSDN yang tidak kami perkirakan.",
      whatToDo: "Coba lagi. Jika terus terjadi, jalankan ulang perintah dengan --verbose dan laporkan keluarannya.",
    },
  ),
  [ErrorCode.JobFailed]: e(
    {
      title: "The job failed",
      whatHappened:
        "Your workload ran on the network but did not finish: it trapped, exited with an error, hit a limit, or its replicas disagreed.",
      whatToDo:
        "Read the reason above and the job's own lines with `dsdn logs <job-id>`; fix the module or its input (or raise its limits in dsdn.yaml) and run it again.",
    },
    {
      title: "Pekerjaan gagal",
      whatHappened:
        "Beban kerja Anda berjalan di jaringan tetapi tidak selesai: terjadi trap, keluar dengan galat, melampaui batas, atau replikanya tidak sepakat.",
      whatToDo:
        "Baca alasannya di atas dan baris log pekerjaan dengan `dsdn logs <job-id>`; perbaiki modul atau masukannya (atau naikkan batasnya di dsdn.yaml) lalu jalankan lagi.",
    },
  ),
  [ErrorCode.Blocked]: e(
    {
      title: "Blocked by governance",
      whatHappened:
        "This content or route was blocked by a passed governance proposal, so it is not served or accepted.",
      whatToDo:
        "See the decision with `dsdnd query compliance blocked <cid|route>`. The owner can appeal with a proposal to unblock it.",
    },
    {
      title: "Diblokir oleh tata kelola",
      whatHappened:
        "Konten atau rute ini diblokir oleh proposal tata kelola yang telah disetujui, jadi tidak dilayani atau diterima.",
      whatToDo:
        "Lihat keputusannya dengan `dsdnd query compliance blocked <cid|route>`. Pemilik dapat mengajukan banding dengan proposal untuk membuka blokirnya.",
    },
  ),
  [ErrorCode.InvalidArgument]: e(
    {
      title: "Invalid input",
      whatHappened: "A value you gave cannot be accepted as it is.",
      whatToDo: "Check the value named below and the command's --help, then try again.",
    },
    {
      title: "Masukan tidak valid",
      whatHappened: "Nilai yang Anda berikan tidak dapat diterima apa adanya.",
      whatToDo: "Periksa nilai yang disebut di bawah dan --help perintah ini, lalu coba lagi.",
    },
  ),
  [ErrorCode.InvalidConfig]: e(
    {
      title: "Configuration problem",
      whatHappened: "A setting in the configuration file or environment is missing or malformed.",
      whatToDo: "Fix the field named below in your configuration, then start again.",
    },
    {
      title: "Masalah konfigurasi",
      whatHappened: "Sebuah pengaturan di berkas konfigurasi atau lingkungan hilang atau salah bentuk.",
      whatToDo: "Perbaiki kolom yang disebut di bawah pada konfigurasi Anda, lalu mulai lagi.",
    },
  ),
  [ErrorCode.NotFound]: e(
    {
      title: "Not found",
      whatHappened: "What you asked for does not exist here, or is not recorded yet.",
      whatToDo: "Check the name, CID or address. If you just created it, wait a few seconds and try again.",
    },
    {
      title: "Tidak ditemukan",
      whatHappened: "Yang Anda minta tidak ada di sini, atau belum tercatat.",
      whatToDo: "Periksa nama, CID, atau alamatnya. Jika baru saja dibuat, tunggu beberapa detik lalu coba lagi.",
    },
  ),
  [ErrorCode.Integrity]: e(
    {
      title: "Data failed its integrity check",
      whatHappened: "The bytes received do not match the hash that names them, so they were rejected.",
      whatToDo: "Nothing was accepted. Try again; another replica will be used. Report it if it repeats.",
    },
    {
      title: "Data gagal pemeriksaan integritas",
      whatHappened: "Byte yang diterima tidak cocok dengan hash yang menamainya, sehingga ditolak.",
      whatToDo: "Tidak ada yang diterima. Coba lagi; replika lain akan dipakai. Laporkan jika berulang.",
    },
  ),
  [ErrorCode.InvalidSignature]: e(
    {
      title: "Signature not valid",
      whatHappened: "A signature did not verify against the key it claims to come from.",
      whatToDo: "Make sure you sign with the right key and that your clock is correct, then try again.",
    },
    {
      title: "Tanda tangan tidak sah",
      whatHappened: "Sebuah tanda tangan tidak cocok dengan kunci yang diakuinya.",
      whatToDo: "Pastikan Anda menandatangani dengan kunci yang benar dan jam komputer Anda tepat, lalu coba lagi.",
    },
  ),
  [ErrorCode.Unavailable]: e(
    {
      title: "Service unavailable",
      whatHappened: "A service DSDN needs did not answer or is overloaded right now.",
      whatToDo: "Wait a moment and try again. Check that the node, coordinator or chain URL is right.",
    },
    {
      title: "Layanan tidak tersedia",
      whatHappened: "Layanan yang dibutuhkan DSDN tidak menjawab atau sedang kelebihan beban.",
      whatToDo: "Tunggu sebentar lalu coba lagi. Periksa apakah URL node, koordinator, atau chain sudah benar.",
    },
  ),
  [ErrorCode.Timeout]: e(
    {
      title: "Timed out",
      whatHappened: "The operation took longer than allowed and was stopped.",
      whatToDo: "Try again; for large files, check your connection or raise the timeout.",
    },
    {
      title: "Waktu habis",
      whatHappened: "Operasi berjalan lebih lama dari yang diizinkan dan dihentikan.",
      whatToDo: "Coba lagi; untuk berkas besar, periksa koneksi Anda atau naikkan batas waktunya.",
    },
  ),
  [ErrorCode.TooLarge]: e(
    {
      title: "Too large",
      whatHappened: "The input is larger than this service accepts.",
      whatToDo: "Send less at once (smaller file, fewer items), or split it into parts.",
    },
    {
      title: "Terlalu besar",
      whatHappened: "Masukan lebih besar dari yang diterima layanan ini.",
      whatToDo:
        "Kirim lebih sedikit sekaligus (berkas lebih kecil, butir lebih sedikit), atau pecah menjadi beberapa bagian.",
    },
  ),
  [ErrorCode.Conflict]: e(
    {
      title: "Conflict",
      whatHappened: "The request clashes with something already recorded.",
      whatToDo: "Refresh what you know (query the current state) and try again.",
    },
    {
      title: "Bentrok",
      whatHappened: "Permintaan bertentangan dengan sesuatu yang sudah tercatat.",
      whatToDo: "Perbarui informasi Anda (kueri keadaan terkini) lalu coba lagi.",
    },
  ),
  [ErrorCode.Unauthorized]: e(
    {
      title: "Not allowed",
      whatHappened: "The key or account used is not permitted to do this.",
      whatToDo: "Use the key that owns the object or role (--from), or ask its owner.",
    },
    {
      title: "Tidak diizinkan",
      whatHappened: "Kunci atau akun yang dipakai tidak berhak melakukan ini.",
      whatToDo: "Gunakan kunci pemilik objek atau peran tersebut (--from), atau minta kepada pemiliknya.",
    },
  ),
  [ErrorCode.Decode]: e(
    {
      title: "Unreadable data",
      whatHappened: "Data received or read from disk is not in the expected format.",
      whatToDo: "Check that the file or the peer's version is right; try again with --verbose for the detail.",
    },
    {
      title: "Data tidak terbaca",
      whatHappened: "Data yang diterima atau dibaca dari disk tidak dalam format yang diharapkan.",
      whatToDo: "Periksa berkas atau versi peer; coba lagi dengan --verbose untuk rinciannya.",
    },
  ),
  [ErrorCode.InsufficientStorage]: e(
    {
      title: "Not enough storage",
      whatHappened: "The node's disk or configured capacity cannot take these bytes.",
      whatToDo: "Free space or raise the node's capacity; uploads will use other nodes meanwhile.",
    },
    {
      title: "Ruang penyimpanan tidak cukup",
      whatHappened: "Disk atau kapasitas yang dikonfigurasi pada node tidak dapat menampung byte ini.",
      whatToDo: "Kosongkan ruang atau naikkan kapasitas node; sementara itu unggahan memakai node lain.",
    },
  ),
  [ErrorCode.RateLimited]: e(
    {
      title: "Too many requests",
      whatHappened: "You sent more requests than this service allows in a short time.",
      whatToDo: "Wait for the time given in Retry-After, then try again more slowly.",
    },
    {
      title: "Terlalu banyak permintaan",
      whatHappened: "Anda mengirim lebih banyak permintaan daripada yang diizinkan layanan ini dalam waktu singkat.",
      whatToDo: "Tunggu selama waktu di Retry-After, lalu coba lagi dengan lebih pelan.",
    },
  ),
  [UxCode.UnknownCommand]: e(
    {
      title: "Unknown command",
      whatHappened: "That command does not exist.",
      whatToDo: "See the list of commands below; the closest match is suggested.",
    },
    {
      title: "Perintah tidak dikenal",
      whatHappened: "Perintah itu tidak ada.",
      whatToDo: "Lihat daftar perintah di bawah; yang paling mirip disarankan.",
    },
  ),
  [UxCode.Usage]: e(
    {
      title: "Wrong use of the command",
      whatHappened: "An option or argument is unknown, missing a value, or given twice.",
      whatToDo: "Read the usage below and try again.",
    },
    {
      title: "Penggunaan perintah salah",
      whatHappened: "Sebuah opsi atau argumen tidak dikenal, tidak diberi nilai, atau diberikan dua kali.",
      whatToDo: "Baca cara pemakaian di bawah lalu coba lagi.",
    },
  ),
  [UxCode.Network]: e(
    {
      title: "Cannot reach the service",
      whatHappened:
        "The connection to a DSDN service failed: refused, reset, closed by the other side before it answered, cut short mid-answer, or the name was not found.",
      whatToDo:
        "Try again: a closed or cut connection is usually a busy service. If it keeps happening, check the URL and that the service is running (`dsdn dev` starts a local one); --verbose shows the network cause.",
    },
    {
      title: "Layanan tidak dapat dijangkau",
      whatHappened:
        "Koneksi ke layanan DSDN gagal: ditolak, terputus, ditutup pihak lain sebelum menjawab, terpotong di tengah jawaban, atau nama tidak ditemukan.",
      whatToDo:
        "Coba lagi: koneksi yang ditutup atau terpotong biasanya berarti layanannya sibuk. Jika terus terjadi, periksa URL dan pastikan layanannya berjalan (`dsdn dev` menjalankan layanan lokal); --verbose menampilkan penyebab jaringannya.",
    },
  ),
  [UxCode.ChainTxFailed]: e(
    {
      title: "Transaction refused by {module}",
      whatHappened: "The chain checked the transaction and the {module} module refused it; nothing changed.",
      whatToDo: "Read the reason below, fix the request, and send it again.",
    },
    {
      title: "Transaksi ditolak oleh {module}",
      whatHappened: "Chain memeriksa transaksi dan modul {module} menolaknya; tidak ada yang berubah.",
      whatToDo: "Baca alasannya di bawah, perbaiki permintaan, lalu kirim lagi.",
    },
  ),
  [UxCode.ChainRefused]: e(
    {
      title: "Refused by the chain",
      whatHappened:
        "The chain answered the request (a query, or the dry run of a transaction) with an error; nothing changed.",
      whatToDo: "Read the reason below, fix the request, and try again.",
    },
    {
      title: "Ditolak oleh chain",
      whatHappened:
        "Chain menjawab permintaan (sebuah kueri, atau uji coba sebuah transaksi) dengan galat; tidak ada yang berubah.",
      whatToDo: "Baca alasannya di bawah, perbaiki permintaan, lalu coba lagi.",
    },
  ),
};

/** Cosmos SDK result codes (codespace "sdk") a wallet user actually meets, by number. */
const SDK: Record<number, CatalogEntry> = {
  3: e(
    {
      title: "Account sequence out of step",
      whatHappened: "Another transaction from this account landed first, so this one's sequence number is stale.",
      whatToDo: "Send it again; the client will read the new sequence.",
    },
    {
      title: "Nomor urut akun tidak sesuai",
      whatHappened: "Transaksi lain dari akun ini masuk lebih dulu, sehingga nomor urut transaksi ini usang.",
      whatToDo: "Kirim lagi; klien akan membaca nomor urut yang baru.",
    },
  ),
  4: e(
    {
      title: "Not authorized",
      whatHappened: "The signer is not allowed to perform this message.",
      whatToDo: "Sign with the key that owns the account or role.",
    },
    {
      title: "Tidak berwenang",
      whatHappened: "Penanda tangan tidak berhak menjalankan pesan ini.",
      whatToDo: "Tanda tangani dengan kunci pemilik akun atau peran tersebut.",
    },
  ),
  5: e(
    {
      title: "Insufficient funds",
      whatHappened: "The account does not hold enough coins for the amount plus fees.",
      whatToDo: "Top up the account or send a smaller amount.",
    },
    {
      title: "Saldo tidak cukup",
      whatHappened: "Akun tidak memiliki cukup koin untuk jumlah ditambah biaya.",
      whatToDo: "Isi ulang akun atau kirim jumlah yang lebih kecil.",
    },
  ),
  7: e(
    {
      title: "Invalid address",
      whatHappened: "An address in the transaction is not a valid nusa… address.",
      whatToDo: "Copy the address again and check its prefix and length.",
    },
    {
      title: "Alamat tidak valid",
      whatHappened: "Sebuah alamat di transaksi bukan alamat nusa… yang sah.",
      whatToDo: "Salin ulang alamatnya dan periksa awalan serta panjangnya.",
    },
  ),
  10: e(
    {
      title: "Invalid amount",
      whatHappened: "An amount is zero, negative, or names an unknown denomination.",
      whatToDo: "Write amounts like 1000unusa.",
    },
    {
      title: "Jumlah tidak valid",
      whatHappened: "Sebuah jumlah bernilai nol, negatif, atau memakai denominasi yang tidak dikenal.",
      whatToDo: "Tulis jumlah seperti 1000unusa.",
    },
  ),
  11: e(
    {
      title: "Out of gas",
      whatHappened: "The transaction needed more gas than its limit.",
      whatToDo: "Use --gas auto, or a higher --gas limit.",
    },
    {
      title: "Gas habis",
      whatHappened: "Transaksi membutuhkan gas lebih banyak dari batasnya.",
      whatToDo: "Gunakan --gas auto, atau batas --gas yang lebih tinggi.",
    },
  ),
  13: e(
    {
      title: "Fee too low",
      whatHappened: "The fee offered is below the minimum gas price.",
      whatToDo: "Raise --gas-prices or --fees.",
    },
    {
      title: "Biaya terlalu rendah",
      whatHappened: "Biaya yang ditawarkan di bawah harga gas minimum.",
      whatToDo: "Naikkan --gas-prices atau --fees.",
    },
  ),
  19: e(
    {
      title: "Already submitted",
      whatHappened: "This exact transaction is already waiting in the mempool.",
      whatToDo: "Wait for it to be included; do not send it again.",
    },
    {
      title: "Sudah dikirim",
      whatHappened: "Transaksi yang sama persis sudah menunggu di mempool.",
      whatToDo: "Tunggu sampai dimasukkan ke blok; jangan kirim lagi.",
    },
  ),
  32: e(
    {
      title: "Wrong account sequence",
      whatHappened: "The transaction was signed with a sequence number the chain no longer expects.",
      whatToDo: "Send it again; the client will read the current sequence.",
    },
    {
      title: "Nomor urut akun salah",
      whatHappened: "Transaksi ditandatangani dengan nomor urut yang tidak lagi diharapkan chain.",
      whatToDo: "Kirim lagi; klien akan membaca nomor urut terkini.",
    },
  ),
};

/** The user-facing code a chain result `{codespace, code}` translates to. */
export function chainCode(codespace: string, code: number): string {
  return codespace === "sdk" && SDK[code] ? `DSDN_CHAIN_SDK_${code}` : UxCode.ChainTxFailed;
}

/** Looks a code up; unknown codes read as Internal so nothing ever prints untranslated. */
export function catalogEntry(code: string): CatalogEntry {
  const sdk = /^DSDN_CHAIN_SDK_(\d+)$/.exec(code);
  if (sdk) return SDK[Number(sdk[1])] ?? OFF_CHAIN[UxCode.ChainTxFailed];
  return (OFF_CHAIN as Record<string, CatalogEntry>)[code] ?? OFF_CHAIN[ErrorCode.Internal];
}

/** Every registered code, for the table test and the docs. */
export function registeredCodes(): string[] {
  return [...Object.keys(OFF_CHAIN), ...Object.keys(SDK).map((n) => `DSDN_CHAIN_SDK_${n}`)];
}

export function isRegisteredCode(code: string): boolean {
  return registeredCodes().includes(code);
}
