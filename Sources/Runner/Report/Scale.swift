import Foundation

/// A map from data values to pixels along one axis, linear or base-10 logarithmic, with the
/// ticks a reader expects: round numbers (1, 2 or 5 times a power of ten), or powers of ten.
struct Scale: Equatable {
    enum Kind: Equatable {
        case linear
        case log
    }

    var kind: Kind
    /// The data interval shown, low first (for `.log`, both positive).
    var domain: ClosedRange<Double>
    /// The pixel interval it maps to; `lower` may be the larger (a y axis grows upwards).
    var from: Double
    var to: Double
    /// Only whole-number ticks (epochs, trial numbers).
    var integers = false

    /// A scale whose domain covers `values` with round ends: empty → [0, 1], a single value
    /// → a small interval around it, log → whole decades around the positive values.
    init(_ kind: Kind = .linear, covering values: [Double], pixels: (Double, Double), includeZero: Bool = false) {
        self.kind = kind
        self.from = pixels.0
        self.to = pixels.1
        self.domain = Scale.domain(kind, covering: values, includeZero: includeZero)
    }

    init(_ kind: Kind, domain: ClosedRange<Double>, pixels: (Double, Double)) {
        self.kind = kind
        self.domain = domain
        self.from = pixels.0
        self.to = pixels.1
    }

    /// The pixel position of `x` (values outside the domain land outside the pixel range).
    func callAsFunction(_ x: Double) -> Double {
        let t: Double
        switch kind {
        case .linear:
            t = (x - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
        case .log:
            let lo = log10(domain.lowerBound), hi = log10(domain.upperBound)
            t = (log10(max(x, .leastNormalMagnitude)) - lo) / (hi - lo)
        }
        return from + t * (to - from)
    }

    /// The tick values inside the domain.
    var ticks: [Double] {
        switch kind {
        case .linear:
            let t = Ticks.linear(domain.lowerBound, domain.upperBound)
            return integers ? t.filter { $0 == $0.rounded() } : t
        case .log: return Ticks.log(domain.lowerBound, domain.upperBound)
        }
    }

    /// The data interval for `values`: finite values only; rounded out to ticks.
    static func domain(_ kind: Kind, covering values: [Double], includeZero: Bool = false) -> ClosedRange<Double> {
        switch kind {
        case .linear:
            var v = values.filter(\.isFinite)
            if includeZero { v.append(0) }
            guard var lo = v.min(), var hi = v.max() else { return 0...1 }
            if lo == hi {
                // One value: a unit interval around it, scaled to its size.
                let pad = lo == 0 ? 1 : abs(lo) * 0.1
                lo -= pad
                hi += pad
            }
            let step = Ticks.step(lo, hi)
            return Ticks.clean(floor(lo / step) * step, step: step)...Ticks.clean(ceil(hi / step) * step, step: step)
        case .log:
            let v = values.filter { $0.isFinite && $0 > 0 }
            guard let lo = v.min(), let hi = v.max() else { return 1...10 }
            let a = floor(log10(lo)), b = ceil(log10(hi))
            return pow(10, a)...pow(10, max(b, a + 1))
        }
    }
}

/// Tick positions and their labels.
enum Ticks {
    /// The distance between about `count` round ticks covering [lo, hi]: 1, 2 or 5 times a
    /// power of ten (Heckbert's "nice numbers", Graphics Gems, 1990).
    static func step(_ lo: Double, _ hi: Double, count: Int = 5) -> Double {
        let span = hi - lo
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(max(count, 1))
        let power = pow(10, floor(log10(raw)))
        let f = raw / power
        let nice: Double = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        return nice * power
    }

    /// Round values from lo to hi (both included when they are on a tick).
    static func linear(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard lo.isFinite, hi.isFinite else { return [] }
        guard hi > lo else { return [lo] }
        let s = step(lo, hi, count: count)
        let first = ceil(lo / s - 1e-9), last = floor(hi / s + 1e-9)
        guard last >= first else { return [] }
        // Multiply rather than add, so 0.1·3 does not drift to 0.30000000000000004 visibly.
        return stride(from: first, through: last, by: 1).map { clean($0 * s, step: s) }
    }

    /// Powers of ten in [lo, hi]; with fewer than three decades, also 2 and 5 times them.
    static func log(_ lo: Double, _ hi: Double) -> [Double] {
        guard lo > 0, hi > lo, lo.isFinite, hi.isFinite else { return lo > 0 ? [lo] : [] }
        let a = Int(floor(log10(lo))), b = Int(ceil(log10(hi)))
        let multiples: [Double] = b - a < 3 ? [1, 2, 5] : [1]
        var out: [Double] = []
        for e in a...b {
            for m in multiples {
                let v = m * pow(10, Double(e))
                if v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) { out.append(v) }
            }
        }
        return out
    }

    /// `x` rounded to the precision of `step`, so the sum of float errors never shows.
    static func clean(_ x: Double, step: Double) -> Double {
        let digits = max(0, -Int(floor(log10(step))) + 1)
        let p = pow(10, Double(min(digits, 15)))
        return (x * p).rounded() / p
    }

    /// A short label: "0.25", "1000"; "1e-4" or "2.5e6" for tiny or huge values.
    static func label(_ x: Double) -> String {
        if x == 0 { return "0" }
        let a = abs(x)
        if a >= 1e5 || a < 1e-3 {
            let e = Int(floor(log10(a)))
            let m = x / pow(10, Double(e))
            return trimmed((m * 100).rounded() / 100) + "e\(e)"
        }
        return trimmed(x)
    }

    /// Up to 6 significant digits without trailing zeros.
    static func trimmed(_ x: Double) -> String {
        var s = String(format: "%.6g", x)
        if s.contains("."), !s.contains("e") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}
