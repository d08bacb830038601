import Foundation
import Synchronization

/// Progress on standard error: one live line on a terminal (trial, fold, epoch, loss, score,
/// elapsed, ETA), plain timestamped lines otherwise (batch logs: no control characters), and
/// nothing but errors with `--quiet`. Safe to call from parallel workers.
final class Progress: Sendable {
    enum Mode: Sendable { case live, plain, quiet }

    let mode: Mode
    /// Prefix for plain lines, e.g. "shard 1/3 ".
    let tag: String
    private let state: Mutex<State>

    private struct State {
        var units = 0
        var done = 0
        var doneThisRun = 0
        var started = Date()
        var live: [String: String] = [:]
        var lastDraw = Date.distantPast
        var drawn = false
    }

    init(quiet: Bool, tag: String = "") {
        mode = quiet ? .quiet : (isatty(2) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb" ? .live : .plain)
        self.tag = tag
        state = Mutex(State())
    }

    /// Starts counting `units` units (`done` of them already finished).
    func begin(units: Int, done: Int) {
        state.withLock {
            $0.units = units
            $0.done = done
            $0.started = Date()
        }
    }

    /// A line for the record (printed in every mode but quiet).
    func log(_ text: String) {
        guard mode != .quiet else { return }
        state.withLock { s in
            clearLive(&s)
            write(mode == .plain ? stamp() + tag + text : text)
            redraw(&s, force: true)
        }
    }

    /// The live status of one worker (`key`), e.g. trial 3/10 fold 1/3 epoch 2/5 loss 0.41.
    func update(key: String, _ text: String) {
        guard mode == .live else { return }
        state.withLock { s in
            s.live[key] = text
            redraw(&s, force: false)
        }
    }

    /// Records a finished unit for the count and the ETA.
    func finished(key: String) {
        state.withLock { s in
            s.done += 1
            s.doneThisRun += 1
            s.live[key] = nil
            redraw(&s, force: true)
        }
    }

    func end() {
        state.withLock { clearLive(&$0) }
    }

    /// "4/30 units, 0:42, ETA 3:10": the ETA from the pace of the units finished in this run.
    private func counts(_ s: State) -> String {
        let elapsed = Date().timeIntervalSince(s.started)
        let eta = s.doneThisRun > 0 && s.done < s.units ? Self.clock(elapsed / Double(s.doneThisRun) * Double(s.units - s.done)) : nil
        return Say.progress(done: s.done, units: s.units, elapsed: Self.clock(elapsed), eta: eta)
    }

    private func redraw(_ s: inout State, force: Bool) {
        guard mode == .live else { return }
        let now = Date()
        guard force || now.timeIntervalSince(s.lastDraw) > 0.1 else { return }
        s.lastDraw = now
        let workers = s.live.keys.sorted().compactMap { s.live[$0] }.joined(separator: " | ")
        var line = "[\(counts(s))] " + workers
        let width = Self.terminalWidth()
        if line.count > width - 1 { line = String(line.prefix(width - 1)) }
        write("\r\u{1B}[K" + line, newline: false)
        s.drawn = true
    }

    private func clearLive(_ s: inout State) {
        if s.drawn {
            write("\r\u{1B}[K", newline: false)
            s.drawn = false
        }
    }

    private func write(_ text: String, newline: Bool = true) {
        FileHandle.standardError.write(Data((text + (newline ? "\n" : "")).utf8))
    }

    private func stamp() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: Date()) + " "
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func terminalWidth() -> Int {
        var w = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 20 { return Int(w.ws_col) }
        return 100
    }
}
