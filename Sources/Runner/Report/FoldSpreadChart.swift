/// Each trial's fold scores as a vertical range (lowest to highest fold) with its mean, trials
/// in rank order: how much a trial's score depends on the split.
enum FoldSpreadChart {
    struct Column {
        var label: String
        var folds: [Double]
        var mean: Double
    }

    static func svg(title: String, yLabel: String, trials: [Column], frame: Frame = Frame(width: 900, height: 270)) -> String {
        let f = frame
        var body = Axes.title(f, title)
        let ys = trials.flatMap(\.folds) + trials.map(\.mean)
        // Up to 30 trials are named on the axis; more are placed by rank.
        let many = trials.count > 30
        let x = many ? Scale(.linear, domain: 0.5...(Double(trials.count) + 0.5), pixels: (f.plotLeft, f.plotRight))
            : Categories(names: trials.map(\.label)).scale(f)
        func px(_ i: Int) -> Double { many ? x(Double(i + 1)) : x(Double(i)) }
        let y = f.y(covering: ys)
        body += Axes.draw(f, x: x, y: y, xLabel: many ? "rank" : "trial, by rank", yLabel: yLabel, xNames: many ? nil : trials.map(\.label))
        if trials.isEmpty { body += Axes.empty(f, "no finished trials") }
        // Fold dots only while they stay apart; beyond that the range says it.
        let dots = trials.count <= 100
        body += "<g class=\"spread\">"
        for (i, t) in trials.enumerated() {
            let px = px(i)
            guard let lo = t.folds.min(), let hi = t.folds.max() else { continue }
            body += SVG.line(px, y(lo), px, y(hi), cls: dots ? "range" : "range thin")
            if dots {
                for v in t.folds { body += "<circle class=\"fold\" cx=\"\(SVG.n(px))\" cy=\"\(SVG.n(y(v)))\" r=\"2\"/>" }
            }
            let tip = "\(t.label): mean \(NumberText.short(t.mean)), folds " + t.folds.map { NumberText.short($0) }.joined(separator: ", ")
            body += "<circle class=\"mean\" cx=\"\(SVG.n(px))\" cy=\"\(SVG.n(y(t.mean)))\" r=\"\(dots ? 3.5 : 1.5)\"><title>\(SVG.escape(tip))</title></circle>"
        }
        let legend = (dots ? [Axes.LegendEntry(label: "fold", cls: "fold", dot: true)] : [])
            + [Axes.LegendEntry(label: "mean", cls: "mean", dot: true), Axes.LegendEntry(label: "lowest to highest fold", cls: "range")]
        body += "</g>" + Axes.legend(f, legend)
        return SVG.document(width: f.width, height: f.height, title: title, body: body)
    }
}
