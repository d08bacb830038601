import Foundation

/// Small builders for inline SVG and HTML text. Colours come from CSS classes (the page's
/// style sheet, light and dark), except sequential fills computed from `Palette`.
enum SVG {
    /// `&`, `<`, `>` and `"` escaped for text and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A coordinate with one decimal, trailing ".0" dropped: small files, sub-pixel precision.
    static func n(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let r = (x * 10).rounded() / 10
        if r == r.rounded() { return String(Int(r)) }
        return String(format: "%.1f", r)
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cls: String) -> String {
        "<line class=\"\(cls)\" x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\"/>"
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String = "middle", cls: String? = nil, rotate: Bool = false) -> String {
        let c = cls.map { " class=\"\($0)\"" } ?? ""
        let r = rotate ? " transform=\"rotate(-90 \(n(x)) \(n(y)))\"" : ""
        return "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\"\(c)\(r)>\(escape(s))</text>"
    }

    /// A polyline through the points, split where a value is missing (NaN).
    static func polyline(_ points: [(Double, Double)], cls: String) -> String {
        var runs: [[(Double, Double)]] = [[]]
        for p in points {
            if p.0.isFinite && p.1.isFinite { runs[runs.count - 1].append(p) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
        }
        return runs.filter { !$0.isEmpty }.map { run in
            if run.count == 1 {
                return "<circle class=\"\(cls) dot\" cx=\"\(n(run[0].0))\" cy=\"\(n(run[0].1))\" r=\"2\"/>"
            }
            return "<polyline class=\"\(cls)\" points=\"\(run.map { n($0.0) + "," + n($0.1) }.joined(separator: " "))\"/>"
        }.joined()
    }

    /// An `<svg>` element that scales to its container's width, with a title for screen readers.
    static func document(width: Double, height: Double, title: String, body: String) -> String {
        "<svg class=\"plot\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(Int(width.rounded(.up)))\" height=\"\(Int(height.rounded(.up)))\" role=\"img\" aria-label=\"\(escape(title))\">"
            + "<title>\(escape(title))</title>" + body + "</svg>"
    }
}

/// The Okabe–Ito colours (distinguishable with any colour vision) for categories, as CSS
/// classes `c0`…`c7`, and viridis for values on a scale.
enum Palette {
    static let categorical = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#999999"]

    /// Viridis at 9 even stops (matplotlib's `viridis`, perceptually uniform and colour-blind safe).
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
        (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]

    /// The viridis colour at `t` in [0, 1] (clamped), as `#rrggbb`.
    static func sequential(_ t: Double) -> String {
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(viridis.count - 1)
        let i = min(Int(x), viridis.count - 2), f = x - Double(i)
        let a = viridis[i], b = viridis[i + 1]
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// True when text on the viridis colour at `t` should be dark (the light, yellow end).
    static func darkText(on t: Double) -> Bool { t > 0.55 }
}
