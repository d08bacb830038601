import Foundation

/// A plot's rectangle: its size and the margins that hold the title, axes and labels.
struct Frame {
    var width = 440.0
    var height = 270.0
    var left = 58.0
    var right = 14.0
    var top = 42.0
    var bottom = 44.0

    var plotLeft: Double { left }
    var plotRight: Double { width - right }
    var plotTop: Double { top }
    var plotBottom: Double { height - bottom }

    func x(_ kind: Scale.Kind = .linear, covering values: [Double]) -> Scale {
        Scale(kind, covering: values, pixels: (plotLeft, plotRight))
    }

    func y(_ kind: Scale.Kind = .linear, covering values: [Double]) -> Scale {
        Scale(kind, covering: values, pixels: (plotBottom, plotTop))
    }
}

/// A horizontal axis of named categories (a `choice` parameter) instead of numbers.
struct Categories {
    var names: [String]

    /// The scale that puts category `i` at `i`, half a slot of room at each end.
    func scale(_ frame: Frame) -> Scale {
        Scale(.linear, domain: -0.5...(Double(max(names.count, 1)) - 0.5), pixels: (frame.plotLeft, frame.plotRight))
    }

    /// A deterministic offset in [-0.3, 0.3] for point `i`, so equal values do not hide each other.
    static func jitter(_ i: Int) -> Double {
        var z = UInt64(truncatingIfNeeded: i) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return (Double(z >> 11) / Double(1 << 53) - 0.5) * 0.6
    }
}

/// Axes, grid, title and legend around a frame.
enum Axes {
    /// The grid lines, tick labels and axis labels for scales `x` and `y`; `xNames` replaces
    /// the numeric x ticks with category names at 0, 1, 2, ...
    static func draw(_ f: Frame, x: Scale, y: Scale, xLabel: String, yLabel: String, xNames: [String]? = nil) -> String {
        var s = "<g class=\"axes\">"
        for t in y.ticks {
            let py = y(t)
            s += SVG.line(f.plotLeft, py, f.plotRight, py, cls: "grid")
            s += SVG.text(Ticks.label(t), x: f.plotLeft - 5, y: py + 3.5, anchor: "end")
        }
        if let names = xNames {
            // Turn the labels when the longest would not fit in its slot.
            let slot = (f.plotRight - f.plotLeft) / Double(max(names.count, 1))
            let rotate = Double(names.map { min($0.count, 14) }.max() ?? 0) * 6.5 > slot - 4
            for (i, name) in names.enumerated() {
                let px = x(Double(i))
                s += SVG.line(px, f.plotBottom, px, f.plotBottom + 4, cls: "tick")
                let shown = name.count > 14 ? String(name.prefix(13)) + "…" : name
                if rotate {
                    s += "<text x=\"\(SVG.n(px + 3))\" y=\"\(SVG.n(f.plotBottom + 10))\" text-anchor=\"end\" transform=\"rotate(-40 \(SVG.n(px + 3)) \(SVG.n(f.plotBottom + 10)))\">\(SVG.escape(shown))</text>"
                } else {
                    s += SVG.text(shown, x: px, y: f.plotBottom + 15)
                }
            }
        } else {
            for t in x.ticks {
                let px = x(t)
                s += SVG.line(px, f.plotTop, px, f.plotBottom, cls: "grid")
                s += SVG.text(Ticks.label(t), x: px, y: f.plotBottom + 15)
            }
        }
        s += SVG.line(f.plotLeft, f.plotBottom, f.plotRight, f.plotBottom, cls: "frame")
        s += SVG.line(f.plotLeft, f.plotTop, f.plotLeft, f.plotBottom, cls: "frame")
        s += SVG.text(xLabel, x: (f.plotLeft + f.plotRight) / 2, y: f.height - 6, cls: "label")
        s += SVG.text(yLabel, x: 13, y: (f.plotTop + f.plotBottom) / 2, cls: "label", rotate: true)
        return s + "</g>"
    }

    /// The plot's title, top left.
    static func title(_ f: Frame, _ text: String) -> String {
        SVG.text(text, x: f.plotLeft, y: 16, anchor: "start", cls: "title")
    }

    /// One legend entry: a short line (or dot) in the entry's class, then its label.
    struct LegendEntry {
        var label: String
        var cls: String
        var dot = false
    }

    /// The entries in a row under the title.
    static func legend(_ f: Frame, _ entries: [LegendEntry]) -> String {
        guard !entries.isEmpty else { return "" }
        // About 6 px per character at the page's 11 px font: enough to lay entries out.
        let widths = entries.map { 22 + 6.2 * Double($0.label.count) + 10 }
        var x = f.plotLeft
        var s = "<g class=\"legend\">"
        for (e, w) in zip(entries, widths) {
            if e.dot {
                s += "<circle class=\"\(e.cls)\" cx=\"\(SVG.n(x + 9))\" cy=\"28\" r=\"3.5\"/>"
            } else {
                s += SVG.line(x, 28, x + 18, 28, cls: e.cls)
            }
            s += SVG.text(e.label, x: x + 22, y: 31.5, anchor: "start")
            x += w
        }
        return s + "</g>"
    }

    /// A message in the middle of an empty plot.
    static func empty(_ f: Frame, _ message: String) -> String {
        SVG.text(message, x: (f.plotLeft + f.plotRight) / 2, y: (f.plotTop + f.plotBottom) / 2, cls: "note")
    }
}
