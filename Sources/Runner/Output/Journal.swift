import Foundation

/// How a unit (or a trial, or the final model) ended; the journal and the leaderboard's
/// `status` column hold the raw value.
enum UnitStatus: String, Codable, Sendable {
    /// Trained and scored.
    case ok
    /// Could not be built or trained (a shape that does not fit, a loss that does not suit the data).
    case failed
    /// The loss became NaN or infinite.
    case diverged
}

/// What one finished (trial, fold) unit produced. A unit counts only once its record is in a
/// journal on disk; everything the run writes (leaderboard, trials.csv, history) is made from
/// these records, so a resumed or merged run writes exactly what an uninterrupted one would.
struct UnitRecord: Codable, Equatable {
    var trial: Int
    var fold: Int
    /// Halving and Hyperband: the rung (scikit-learn's `iter`) and its resource
    /// (`n_resources`); absent for random and grid.
    var iter: Int? = nil
    var resources: Int? = nil
    /// Each search parameter's value as the plan prints it.
    var params: [String: String]
    var status: UnitStatus
    /// Why a unit failed or diverged.
    var reason: String?
    /// The scoring metric on the held-out fold (nil when failed).
    var score: Double?
    /// Every metric on the held-out fold, Keras names: loss, accuracy, ...
    var metrics: [String: Double]
    var epochs: Int
    var seconds: Double
    /// Per-epoch history: column names in order, then one row per epoch.
    var historyColumns: [String]
    var history: [[Double]]
    /// The kernels that computed it (`JournalHeader.kernelText`): recorded when they differ
    /// from the journal header's (a resume with --mix-kernels); filled from the header on reading.
    var kernels: String? = nil
}

/// The first line of every journal: what run it belongs to.
struct JournalHeader: Codable, Equatable {
    var journal: Int = 1
    /// A hash of everything that decides the numbers (the file, overrides, seed, folds).
    var fingerprint: String
    var file: String
    var seed: UInt64
    var shard: String
    var version: String
    /// The experiment as run (canonical YAML), so `merge` can rebuild the run from the folder.
    var experiment: String
    /// The folder relative data paths are read from.
    var base: String
    /// The number of trials this process was asked for.
    var trials: Int
    /// The kernels the units were computed with (`Provenance`): the mode (`portable` or
    /// `native`), the machine's architecture, OpenBLAS's version and kernel ("0.3.21 Haswell"),
    /// oneDNN's version and instruction set ("2.6.3 avx2"). Absent in older journals.
    var kernels: String? = nil
    var architecture: String? = nil
    var openblas: String? = nil
    var onednn: String? = nil
}

/// An append-only, fsynced record of finished units (JSON lines), one file per shard under
/// `OUT/journal/`, so that shards never write the same file.
final class Journal {
    struct Mismatch: Error, CustomStringConvertible {
        let path: String
        let found: JournalHeader
        let expected: JournalHeader
        var description: String {
            Say.journalMismatch(path, file: found.file != expected.file ? (found.file, expected.file) : nil,
                                seed: found.seed != expected.seed ? (found.seed, expected.seed) : nil)
        }
    }

    /// Units computed by other kernels than the ones at hand: their last bits differ.
    struct KernelMismatch: Error, CustomStringConvertible {
        let path: String
        let found: String
        let expected: String
        let merging: Bool
        var description: String {
            Say.kernelMismatch(path, found: found, expected: expected, merging: merging)
        }
    }

    struct Corrupt: Error, CustomStringConvertible {
        let path: String
        let line: Int
        var description: String { Say.corruptJournal(path, line: line) }
    }

    static func folder(_ out: String) -> String { out + "/journal" }
    static func path(_ out: String, shard: Shard) -> String { folder(out) + "/shard-\(shard.index)-of-\(shard.count).jsonl" }

    private let fd: Int32
    let path: String
    /// The kernels the file's header records: a record computed with others says so itself.
    private var headerKernels: String
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    /// Opens (or creates, writing the header) the journal of `shard` for appending.
    init(out: String, shard: Shard, header: JournalHeader) throws {
        try AtomicFile.makeDirectory(Self.folder(out))
        path = Self.path(out, shard: shard)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFile.WriteError(path: path, reason: AtomicFile.errnoText()) }
        // A crash mid-write leaves a torn last line: cut it off before appending, or the next
        // record would be glued to it. (Its unit runs again; `readAll` ignored it already.)
        let existing = FileManager.default.contents(atPath: path) ?? Data()
        headerKernels = header.kernelText
        if let end = existing.firstIndex(of: UInt8(ascii: "\n")),
           let old = try? JSONDecoder().decode(JournalHeader.self, from: existing[..<end]) {
            headerKernels = old.kernelText
        }
        if let last = existing.last, last != UInt8(ascii: "\n") {
            let keep = existing.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            guard ftruncate(fd, off_t(keep)) == 0 else { throw AtomicFile.WriteError(path: path, reason: AtomicFile.errnoText()) }
        }
        if existing.isEmpty || existing.firstIndex(of: UInt8(ascii: "\n")) == nil {
            try appendLine(try encoder.encode(header))
            AtomicFile.syncDirectory(Self.folder(out))
        }
    }

    deinit { close(fd) }

    /// Appends one record and fsyncs it: when this returns, the unit is safe.
    func append(_ record: UnitRecord) throws {
        var record = record
        if record.kernels == headerKernels { record.kernels = nil }
        try appendLine(try encoder.encode(record))
    }

    private func appendLine(_ json: Data) throws {
        var bytes = [UInt8](json)
        bytes.append(UInt8(ascii: "\n"))
        let ok = bytes.withUnsafeBytes { AtomicFile.writeAll(fd, $0) } && fsync(fd) == 0
        guard ok else { throw AtomicFile.WriteError(path: path, reason: AtomicFile.errnoText()) }
    }

    /// Reads every journal in `out`, checking each header against `expected` (nil: accept the
    /// first header seen and require the rest to agree). A unit recorded twice (a requeued
    /// shard) counts once, the first record kept. A torn last line (a crash mid-write) is
    /// ignored: its unit simply runs again.
    ///
    /// Every journal must have been computed with the same kernels as `expected` (or the first
    /// header) unless `mixKernels`; each record's `kernels` is filled from its journal's header
    /// when it has none of its own.
    static func readAll(out: String, expected: JournalHeader?, mixKernels: Bool = false) throws -> (header: JournalHeader?, records: [UnitRecord]) {
        let dir = folder(out)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".jsonl") }.sorted()
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var reference = expected
        var seen = Set<[Int]>()
        var records: [UnitRecord] = []
        for name in names {
            let path = dir + "/" + name
            guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { continue }
            let complete = data.last == UInt8(ascii: "\n")
            var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            if lines.last?.isEmpty == true { lines.removeLast() }
            if !complete { lines.removeLast() }
            guard let first = lines.first else { continue }
            guard let header = try? decoder.decode(JournalHeader.self, from: Data(first)) else { throw Corrupt(path: path, line: 1) }
            if let ref = reference {
                if header.fingerprint != ref.fingerprint || header.seed != ref.seed {
                    throw Mismatch(path: path, found: header, expected: ref)
                }
            } else {
                reference = header
            }
            if let ref = reference, !mixKernels, header.kernelText != ref.kernelText {
                throw KernelMismatch(path: path, found: header.kernelDescription, expected: ref.kernelDescription, merging: expected == nil)
            }
            for (i, line) in lines.enumerated().dropFirst() {
                guard var r = try? decoder.decode(UnitRecord.self, from: Data(line)) else { throw Corrupt(path: path, line: i + 1) }
                if r.kernels == nil { r.kernels = header.kernelText }
                if !mixKernels, let ref = reference, r.kernels != ref.kernelText {
                    throw KernelMismatch(path: path + ":\(i + 1)", found: r.kernels ?? "", expected: ref.kernelDescription, merging: expected == nil)
                }
                if seen.insert([r.trial, r.fold, r.iter ?? 0]).inserted { records.append(r) }
            }
        }
        records.sort { ($0.trial, $0.iter ?? 0, $0.fold) < ($1.trial, $1.iter ?? 0, $1.fold) }
        return (reference, records)
    }
}

/// FNV-1a, 64 bits: a stable fingerprint of the inputs that decide a run's numbers.
enum Fingerprint {
    static func of(_ parts: [String]) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for part in parts {
            for b in part.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            h = (h ^ 0xFF) &* 0x0000_0100_0000_01B3
        }
        return String(h, radix: 16)
    }
}
