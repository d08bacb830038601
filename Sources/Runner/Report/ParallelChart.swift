/// Parallel coordinates: one vertical axis per parameter and one for the score, each trial a
/// line across them coloured by its score (viridis, best the brightest), best drawn last.
enum ParallelChart {
    struct Axis {
        var name: String
        /// Numeric (linear or log) or named categories (values are their indices).
        var kind: ScatterChart.XAxis
        /// One value per line, NaN when missing.
        var values: [Double]
    }

    /// `axes` left to right; `order` the lines' drawing order (worst first); `colour` each line's
    /// position on the colour scale in [0, 1].
    static func svg(title: String, axes: [Axis], colour: [Double], order: [Int], tips: [String]?, frame: Frame = Frame(width: 900, height: 320, left: 60, right: 70, top: 34, bottom: 40)) -> String {
        let f = frame
        var body = Axes.title(f, title)
        guard axes.count >= 2 else {
            return SVG.document(width: f.width, height: f.height, title: title, body: body + Axes.empty(f, "nothing to compare"))
        }
        let gap = (f.plotRight - f.plotLeft) / Double(axes.count - 1)
        let positions = axes.indices.map { f.plotLeft + Double($0) * gap }
        // Each axis maps its values to the plot's height.
        let scales: [Scale] = axes.map { a in
            switch a.kind {
            case .numeric(let k): return Scale(k, covering: a.values, pixels: (f.plotBottom, f.plotTop))
            case .categories(let names):
                return Scale(.linear, domain: -0.5...(Double(max(names.count, 1)) - 0.5), pixels: (f.plotBottom, f.plotTop))
            }
        }
        // Thin lines, fainter when there are many, so 1,000 trials read as a density.
        let opacity = order.count > 200 ? 0.25 : order.count > 50 ? 0.5 : 0.85
        body += "<g class=\"pc\" fill=\"none\" stroke-width=\"\(order.count > 200 ? 1 : 1.5)\" stroke-opacity=\"\(opacity)\">"
        for i in order {
            let pts = axes.indices.map { a in (positions[a], scales[a](axes[a].values[i])) }
            guard pts.allSatisfy({ $0.1.isFinite }) else { continue }
            let points = pts.map { SVG.n($0.0) + "," + SVG.n($0.1) }.joined(separator: " ")
            let line = "<polyline stroke=\"\(Palette.sequential(colour[i]))\" points=\"\(points)\""
            body += tips.map { line + "><title>\(SVG.escape($0[i]))</title></polyline>" } ?? line + "/>"
        }
        body += "</g><g class=\"axes\">"
        for (a, axis) in axes.enumerated() {
            let px = positions[a], s = scales[a]
            body += SVG.line(px, f.plotTop, px, f.plotBottom, cls: "frame")
            let labels: [(Double, String)]
            switch axis.kind {
            case .numeric: labels = s.ticks.map { ($0, Ticks.label($0)) }
            case .categories(let names): labels = names.enumerated().map { (Double($0.offset), $0.element) }
            }
            for (v, text) in labels {
                body += SVG.line(px - 3, s(v), px + 3, s(v), cls: "tick")
                body += SVG.text(text.count > 12 ? String(text.prefix(11)) + "…" : text, x: px + 5, y: s(v) + 3.5, anchor: "start", cls: "halo")
            }
            body += SVG.text(axis.name, x: px, y: f.plotBottom + 18, cls: "label")
        }
        body += "</g>"
        return SVG.document(width: f.width, height: f.height, title: title, body: body)
    }
}
