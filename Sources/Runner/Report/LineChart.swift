/// Lines over a numeric x, such as a loss per epoch: one curve per series, each drawn in its
/// CSS class (colour, width, opacity).
enum LineChart {
    struct Curve {
        var points: [(Double, Double)]
        /// e.g. "c0 bold", "c1 faint".
        var cls: String
    }

    static func svg(title: String, xLabel: String, yLabel: String, curves: [Curve], legend: [Axes.LegendEntry],
                    frame: Frame = Frame()) -> String {
        let f = frame
        let xs = curves.flatMap { $0.points.map(\.0) }, ys = curves.flatMap { $0.points.map(\.1) }
        var body = Axes.title(f, title)
        if xs.filter(\.isFinite).isEmpty {
            let x = f.x(covering: []), y = f.y(covering: [])
            body += Axes.draw(f, x: x, y: y, xLabel: xLabel, yLabel: yLabel) + Axes.empty(f, "no values")
            return SVG.document(width: f.width, height: f.height, title: title, body: body)
        }
        let useLog = prefersLog(ys)
        // Epochs count from 0, in whole numbers: one epoch is a dot above 1, not above 1.0 ± 0.1.
        var x = Scale(.linear, covering: xs, pixels: (f.plotLeft, f.plotRight), includeZero: true)
        x.integers = true
        let y = f.y(useLog ? .log : .linear, covering: ys)
        body += Axes.draw(f, x: x, y: y, xLabel: xLabel, yLabel: yLabel + (useLog ? " (log scale)" : ""))
        body += "<g class=\"lines\">"
        for c in curves {
            body += SVG.polyline(thinned(c.points).map { (x($0.0), y($0.1)) }, cls: c.cls)
        }
        body += "</g>" + Axes.legend(f, legend)
        return SVG.document(width: f.width, height: f.height, title: title, body: body)
    }

    /// A log axis for values that are all positive and span two decades or more (a loss that
    /// falls from 1 to 0.001 would otherwise be a flat line after a few epochs).
    static func prefersLog(_ values: [Double]) -> Bool {
        let v = values.filter(\.isFinite)
        guard let lo = v.min(), let hi = v.max(), lo > 0 else { return false }
        return hi / lo >= 100
    }

    /// At most about `limit` points: every n-th, the last one kept. A curve of 10,000 epochs
    /// keeps its shape at a plot's width and the page stays small.
    static func thinned(_ points: [(Double, Double)], limit: Int = 400) -> [(Double, Double)] {
        guard points.count > limit, limit > 1 else { return points }
        let every = (points.count + limit - 1) / limit
        var out = Swift.stride(from: 0, to: points.count, by: every).map { points[$0] }
        if (points.count - 1) % every != 0 { out.append(points[points.count - 1]) }
        return out
    }
}
