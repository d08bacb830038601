/// A confusion matrix as a heat map: rows are the true classes, columns the predicted ones;
/// each cell shows its count and is shaded by its share of the row (the class's recall on the
/// diagonal).
enum ConfusionChart {
    /// Counts from true and predicted class indices (out-of-range indices are ignored).
    static func counts(truth: [Int], predicted: [Int], classes: Int) -> [[Int]] {
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (t, p) in zip(truth, predicted) where t >= 0 && t < classes && p >= 0 && p < classes { m[t][p] += 1 }
        return m
    }

    static func svg(title: String, counts: [[Int]], names: [String]) -> String {
        let k = counts.count
        let longest = Double(names.map(\.count).max() ?? 1)
        let labelWidth = min(12, longest) * 6.5 + 16
        let cell = max(16, min(44, 440 / Double(max(k, 1))))
        let left = labelWidth + 22, top = 30.0 + labelWidth * 0.75
        // The last column's label leans right, past the matrix: room for it.
        let right = 16 + min(12, longest) * 4.8
        let f = Frame(width: left + cell * Double(k) + right, height: top + cell * Double(k) + 30, left: left, right: right, top: top, bottom: 30)
        var body = SVG.text(title, x: 8, y: 16, anchor: "start", cls: "title")
        let showCounts = k <= 20
        for (r, row) in counts.enumerated() {
            let total = max(row.reduce(0, +), 1)
            for (c, n) in row.enumerated() {
                let share = Double(n) / Double(total)
                let x = f.plotLeft + Double(c) * cell, y = f.plotTop + Double(r) * cell
                let tip = "true \(names[r]), predicted \(names[c]): \(n) (\(Int((share * 100).rounded()))% of \(names[r]))"
                body += "<rect x=\"\(SVG.n(x))\" y=\"\(SVG.n(y))\" width=\"\(SVG.n(cell))\" height=\"\(SVG.n(cell))\" fill=\"\(Palette.sequential(share))\"><title>\(SVG.escape(tip))</title></rect>"
                if showCounts {
                    body += SVG.text(String(n), x: x + cell / 2, y: y + cell / 2 + 3.5, cls: Palette.darkText(on: share) ? "on-light" : "on-dark")
                }
            }
        }
        for (i, name) in names.enumerated() {
            let shown = name.count > 12 ? String(name.prefix(11)) + "…" : name
            let mid = Double(i) * cell + cell / 2
            body += SVG.text(shown, x: f.plotLeft - 5, y: f.plotTop + mid + 3.5, anchor: "end")
            let px = f.plotLeft + mid + 3, py = f.plotTop - 5
            if longest <= 3 {
                body += SVG.text(shown, x: f.plotLeft + mid, y: py)
                continue
            }
            body += "<text x=\"\(SVG.n(px))\" y=\"\(SVG.n(py))\" text-anchor=\"start\" transform=\"rotate(-45 \(SVG.n(px)) \(SVG.n(py)))\">\(SVG.escape(shown))</text>"
        }
        body += SVG.text("predicted class", x: f.plotLeft + cell * Double(k) / 2, y: f.height - 8, cls: "label")
        body += SVG.text("true class", x: max(12, left - min(12, longest) * 6.5 - 14), y: f.plotTop + cell * Double(k) / 2, cls: "label", rotate: true)
        return SVG.document(width: f.width, height: f.height, title: title, body: body)
    }
}
