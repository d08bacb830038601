import Foundation
import Testing
@testable import Engine
@testable import Runner

/// report.html end to end: written by every run, rewritten by `runner report` from the folder
/// alone, valid HTML (Debian's `tidy`), and drawn by a real browser (headless Chromium).
@Suite(.serialized) struct ReportTests {
    let dir = freshFolder("report")

    init() { write(tinySpec, "tiny.yaml", in: dir) }

    func read(_ path: String) -> String { (try? String(contentsOfFile: dir + "/" + path, encoding: .utf8)) ?? "" }

    @Test func aRunWritesTheReportAndNamesItLast() throws {
        let r = try RunnerProcess.run(["tiny.yaml", "--out", "a"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.split(separator: "\n").last == "report: a/report.html")
        let html = read("a/report.html")
        for id in ["experiment", "leaderboard", "curves", "search", "test"] { #expect(html.contains("<section id=\"\(id)\">"), "\(id)") }
        #expect(html.contains("Confusion matrix") && html.contains("All trials across the parameters"))
        #expect(html.contains("prefers-color-scheme: dark"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src="), "nothing is fetched")
        #expect(html.contains("Total params:"), "the model summary")
        // The predictions behind the confusion matrix: one row per test sample, classes as indices.
        let predictions = readCSV(dir + "/a/predictions.csv")
        #expect(predictions.first == ["sample", "y_true", "y_pred"])
        #expect(predictions.count == 1 + 48)

        // `runner report` rebuilds the same page from the folder alone.
        let before = read("a/report.html")
        try FileManager.default.removeItem(atPath: dir + "/a/report.html")
        let again = try RunnerProcess.run(["report", "a"], in: dir)
        #expect(again.status == 0, "\(again.err)")
        #expect(read("a/report.html") == before)
        let missing = try RunnerProcess.run(["report", "nowhere"], in: dir)
        #expect(missing.status == 2 && missing.err.contains("nowhere"))
    }

    @Test func theHTMLIsValid() throws {
        #expect(try RunnerProcess.run(["tiny.yaml", "--out", "v", "--quiet"], in: dir).status == 0)
        guard let tidy = Tools.find("tidy") else {
            Issue.record("tidy is not installed: scripts/setup installs it")
            return
        }
        let r = try Tools.run(tidy, ["-q", "-e", dir + "/v/report.html"])
        #expect(r.status == 0 && r.output.isEmpty, "tidy: \(r.output)")
    }

    @Test func aRegressionShowsPredictedAgainstTrue() throws {
        write("""
        name: wave
        seed: 1
        data: {source: function2d, function: gaussian_abs, range: [-0.5, 0.5], samples: 300}
        model: {input_shape: [2], layers: [{Dense: {units: 8, activation: relu}}, {Dense: {units: 1}}]}
        compile: {loss: mse, optimizer: adam, metrics: [mae]}
        fit: {epochs: 3, batch_size: 32}
        """, "wave.yaml", in: dir)
        let r = try RunnerProcess.run(["wave.yaml", "--out", "w", "--quiet"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let html = read("w/report.html")
        #expect(html.contains("Predicted vs true") && html.contains("class=\"diagonal\""))
        #expect(!html.contains("<section id=\"search\">"), "no search, no search plots")
        #expect(readCSV(dir + "/w/predictions.csv").first == ["sample", "y_true", "y_pred"])
    }

    @Test(.enabled(if: Tools.find("chromium") != nil, "chromium is not installed (scripts/setup --browser)"))
    func chromiumDrawsTheReportWithoutErrors() throws {
        #expect(try RunnerProcess.run(["tiny.yaml", "--out", "b", "--quiet"], in: dir).status == 0)
        let shot = try Tools.screenshot(dir + "/b/report.html", to: dir + "/b.png")
        #expect(shot.console.isEmpty, "the page logged: \(shot.console)")
        let image = try PNGImage(path: dir + "/b.png")
        #expect(image.width == 1200 && image.height == 2400)
        // Not blank: plenty of pixels differ from the background, in many colours.
        #expect(image.inkFraction > 0.03, "\(image.inkFraction)")
        #expect(image.colourCount > 50, "\(image.colourCount)")
    }

    @Test(.enabled(if: Tools.find("chromium") != nil, "chromium is not installed (scripts/setup --browser)"))
    func theConsoleCheckSeesAPageError() throws {
        write("<!DOCTYPE html><html lang=\"en\"><head><title>x</title></head><body><script>notDefined();</script></body></html>", "bad.html", in: dir)
        let shot = try Tools.screenshot(dir + "/bad.html", to: dir + "/bad.png")
        #expect(shot.console.contains { $0.contains("notDefined") })
    }
}

/// Programs the report tests run: tidy and headless Chromium.
enum Tools {
    static func find(_ name: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/" + name) {
            return dir + "/" + name
        }
        return nil
    }

    /// Runs `path` with `args`, stdout and stderr together, ended after `timeout` seconds.
    static func run(_ path: String, _ args: [String], timeout: Double = 120) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let log = NSTemporaryDirectory() + "runner-tool-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: log)
        return (p.terminationStatus, output)
    }

    /// A 1200×2400 screenshot of `page` by headless Chromium, and what the page wrote to its
    /// console (Chromium logs each message as `INFO:CONSOLE`, errors included).
    static func screenshot(_ page: String, to png: String) throws -> (status: Int32, console: [String]) {
        let profile = freshFolder("chromium-profile")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let r = try run(find("chromium")!, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                            "--no-first-run", "--user-data-dir=" + profile,
                                            "--enable-logging=stderr", "--v=0", "--window-size=1200,2400",
                                            "--screenshot=" + png, "file://" + page])
        let console = r.output.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }
        return (r.status, console)
    }
}

/// The pixels of a PNG file (8-bit RGB or RGBA, not interlaced: what Chromium writes).
struct PNGImage {
    var width = 0
    var height = 0
    /// RGBA, row after row.
    var pixels: [UInt8] = []

    struct Unsupported: Error, CustomStringConvertible { var description: String }

    init(path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count > 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw Unsupported(description: "\(path) is not a PNG")
        }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var i = 8, idat: [UInt8] = [], channels = 0
        while i + 8 <= bytes.count {
            let length = u32(i), type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            let data = bytes[(i + 8)..<(i + 8 + length)]
            if type == "IHDR" {
                width = u32(i + 8)
                height = u32(i + 12)
                let depth = data[data.startIndex + 8], colour = data[data.startIndex + 9], interlace = data[data.startIndex + 12]
                guard depth == 8, colour == 2 || colour == 6, interlace == 0 else {
                    throw Unsupported(description: "PNG depth \(depth) colour type \(colour) interlace \(interlace)")
                }
                channels = colour == 6 ? 4 : 3
            } else if type == "IDAT" {
                idat += data
            }
            i += 12 + length
        }
        // zlib's inflate (through the Engine's gzip reader, which also takes zlib streams).
        let tmp = NSTemporaryDirectory() + "runner-png-\(UUID().uuidString)"
        try Data(idat).write(to: URL(fileURLWithPath: tmp))
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let raw = try Gzip.inflateFile(tmp)
        let stride = width * channels
        guard raw.count >= height * (stride + 1) else { throw Unsupported(description: "PNG data too short") }
        var previous = [UInt8](repeating: 0, count: stride), current = previous
        pixels.reserveCapacity(width * height * 4)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)], row = y * (stride + 1) + 1
            for x in 0..<stride {
                let a = x >= channels ? Int(current[x - channels]) : 0, b = Int(previous[x])
                let c = x >= channels ? Int(previous[x - channels]) : 0
                let predictor: Int
                switch filter {
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: predictor = 0
                }
                current[x] = UInt8(truncatingIfNeeded: Int(raw[row + x]) + predictor)
            }
            for x in 0..<width {
                pixels += current[(x * channels)..<(x * channels + 3)]
                pixels.append(channels == 4 ? current[x * channels + 3] : 255)
            }
            swap(&previous, &current)
        }
    }

    /// The share of pixels that differ from the top-left one (the page's background).
    var inkFraction: Double {
        let bg = pixels[0..<4]
        var ink = 0
        for p in Swift.stride(from: 0, to: pixels.count, by: 4) where !pixels[p..<(p + 4)].elementsEqual(bg) { ink += 1 }
        return Double(ink) / Double(max(width * height, 1))
    }

    var colourCount: Int {
        var seen = Set<UInt32>()
        for p in Swift.stride(from: 0, to: pixels.count, by: 4) {
            seen.insert(UInt32(pixels[p]) << 16 | UInt32(pixels[p + 1]) << 8 | UInt32(pixels[p + 2]))
        }
        return seen.count
    }
}
