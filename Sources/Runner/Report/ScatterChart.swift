/// Points on two axes, such as each trial's score against one parameter: numeric (linear or
/// log) or categorical x, optional lines drawn over them (a running best, the diagonal).
enum ScatterChart {
    struct Point {
        var x: Double
        var y: Double
        /// e.g. "c0", "best"; the page's CSS colours it.
        var cls: String
        /// Shown on hover (an SVG `<title>`), nil for none.
        var tip: String?
    }

    enum XAxis {
        case numeric(Scale.Kind)
        /// Category names; a point's `x` is its category's index (jittered when drawn).
        case categories([String])
    }

    static func svg(title: String, xLabel: String, yLabel: String, x xAxis: XAxis, points: [Point],
                    lines: [LineChart.Curve] = [], diagonal: Bool = false, legend: [Axes.LegendEntry] = [],
                    radius: Double = 3, frame: Frame = Frame()) -> String {
        let f = frame
        var body = Axes.title(f, title)
        let ys = points.map(\.y) + lines.flatMap { $0.points.map(\.1) }
        var xs = points.map(\.x) + lines.flatMap { $0.points.map(\.0) }
        var y = f.y(covering: ys)
        let x: Scale, names: [String]?
        switch xAxis {
        case .numeric(let kind):
            if diagonal {
                // Predicted against true: the same interval on both axes, so y = x is the diagonal.
                xs += ys
                y = f.y(covering: xs)
            }
            x = f.x(kind, covering: xs)
            names = nil
        case .categories(let c):
            x = Categories(names: c).scale(f)
            names = c
        }
        body += Axes.draw(f, x: x, y: y, xLabel: xLabel, yLabel: yLabel, xNames: names)
        if points.isEmpty && lines.isEmpty { body += Axes.empty(f, "no finished trials") }
        if diagonal {
            let lo = max(x.domain.lowerBound, y.domain.lowerBound), hi = min(x.domain.upperBound, y.domain.upperBound)
            body += SVG.line(x(lo), y(lo), x(hi), y(hi), cls: "diagonal")
        }
        body += "<g class=\"points\">"
        for (i, p) in points.enumerated() where p.x.isFinite && p.y.isFinite {
            let px: Double
            if case .categories = xAxis { px = x(p.x + Categories.jitter(i)) } else { px = x(p.x) }
            let circle = "<circle class=\"\(p.cls)\" cx=\"\(SVG.n(px))\" cy=\"\(SVG.n(y(p.y)))\" r=\"\(SVG.n(radius))\""
            body += p.tip.map { circle + "><title>\(SVG.escape($0))</title></circle>" } ?? circle + "/>"
        }
        body += "</g>"
        for c in lines { body += SVG.polyline(c.points.map { (x($0.0), y($0.1)) }, cls: c.cls) }
        body += Axes.legend(f, legend)
        return SVG.document(width: f.width, height: f.height, title: title, body: body)
    }
}
