import Foundation

/// Runs the built `runner` binary as a user would, output captured in files (no pipe can fill
/// up and stall the child).
struct RunnerProcess {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var executable: URL {
        for dir in [".build/debug", ".build/release"] {
            let url = root.appendingPathComponent(dir).appendingPathComponent("runner")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return root.appendingPathComponent(".build/debug/runner")
    }

    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    /// A started process, for tests that interrupt it.
    final class Running {
        let process: Process
        let outPath: String
        let errPath: String
        init(process: Process, outPath: String, errPath: String) {
            self.process = process
            self.outPath = outPath
            self.errPath = errPath
        }

        func wait() -> Result {
            process.waitUntilExit()
            let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            return Result(status: process.terminationStatus, out: out, err: err)
        }
    }

    static func start(_ args: [String], in dir: String, environment: [String: String] = [:]) throws -> Running {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var env = ProcessInfo.processInfo.environment
        env["SLURM_ARRAY_TASK_ID"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let id = UUID().uuidString
        let outPath = NSTemporaryDirectory() + "runner-out-\(id)", errPath = NSTemporaryDirectory() + "runner-err-\(id)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        return Running(process: p, outPath: outPath, errPath: errPath)
    }

    static func run(_ args: [String], in dir: String, environment: [String: String] = [:]) throws -> Result {
        try start(args, in: dir, environment: environment).wait()
    }
}

/// A CSV file as rows of fields (RFC 4180 quoting), for comparisons.
func readCSV(_ path: String) -> [[String]] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
    var chars = Array(text)[...]
    while let c = chars.popFirst() {
        if quoted {
            if c == "\"" {
                if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
            } else { field.append(c) }
        } else if c == "\"" { quoted = true
        } else if c == "," { row.append(field); field = ""
        } else if c == "\n" { row.append(field); rows.append(row); row = []; field = ""
        } else { field.append(c) }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

/// The CSV without its timing column (`seconds`): what must be identical between runs.
func withoutTiming(_ rows: [[String]]) -> [[String]] {
    guard let header = rows.first, let i = header.firstIndex(of: "seconds") else { return rows }
    return rows.map { r in var r = r; if i < r.count { r.remove(at: i) }; return r }
}

/// A fresh folder under the system's temporary folder.
func freshFolder(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "runner-\(name)-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A small classification search on synthetic blobs: seconds to run in a debug build.
let tinySpec = """
name: tiny
seed: 3
data: {source: blobs, classes: 3, samples: 240, test_fraction: 0.2, preprocess: standardize}
model:
  input_shape: [2]
  layers:
    - repeat: $depth
      layers:
        - Dense: {units: $units, activation: relu}
    - Dense: {units: 3, activation: softmax}
compile:
  loss: sparse_categorical_crossentropy
  optimizer: {name: adam, learning_rate: $lr}
  metrics: [accuracy]
fit: {epochs: 4, batch_size: 16, validation_split: 0.2, callbacks: [{EarlyStopping: {patience: 1}}]}
search:
  trials: 4
  cv: 3
  space:
    depth: {randint: [0, 3]}
    units: {choice: [4, 8, 16]}
    lr: {loguniform: [1.0e-3, 1.0e-1]}
"""

/// Writes `text` as `name` in `dir` and returns the path.
@discardableResult
func write(_ text: String, _ name: String, in dir: String) -> String {
    let path = dir + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}

/// Lines of a file (0 if missing).
func lineCount(_ path: String) -> Int {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").count
}

/// What must be identical between two runs of the same experiment: leaderboard.csv, trials.csv
/// and test.csv without their timing column, predictions.csv and every history file.
func resultFiles(_ folder: String) -> [String: [[String]]] {
    var files: [String: [[String]]] = [:]
    for name in ["leaderboard.csv", "trials.csv", "test.csv", "predictions.csv"] {
        files[name] = withoutTiming(readCSV(folder + "/" + name))
    }
    for h in (try? FileManager.default.contentsOfDirectory(atPath: folder + "/history")) ?? [] {
        files["history/" + h] = readCSV(folder + "/history/" + h)
    }
    return files
}

/// Writes a float32 C-order `.npy` file (NEP 1, version 1.0).
func writeNPY(_ values: [Float], shape: [Int], to path: String) {
    let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
    bytes += Array(header.utf8)
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}
