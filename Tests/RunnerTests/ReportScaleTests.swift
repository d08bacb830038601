import Foundation
import Testing
@testable import Runner

/// The report's scales, ticks and plot builders: round ticks, log axes, empty and one-point data.
struct ReportScaleTests {
    @Test func niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(Ticks.step(0, 1) == 0.2)
        #expect(Ticks.step(0, 10) == 2)
        #expect(Ticks.step(0, 0.87) == 0.2)
        #expect(Ticks.step(0, 7) == 1)
        #expect(Ticks.step(-300, 1200) == 500)
        #expect(Ticks.step(3, 3) == 1)
    }

    @Test func linearTicksAreRoundAndInside() {
        #expect(Ticks.linear(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(Ticks.linear(0.31, 0.97) == [0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        #expect(Ticks.linear(0.3, 2.7) == [0.5, 1, 1.5, 2, 2.5])
        #expect(Ticks.linear(-1, 1) == [-1, -0.5, 0, 0.5, 1])
        #expect(Ticks.linear(0, 0.3, count: 3) == [0, 0.1, 0.2, 0.3], "0.1·3 prints as 0.3, not 0.30000000000000004")
        #expect(Ticks.linear(2, 2) == [2])
        #expect(Ticks.linear(.nan, 1).isEmpty)
    }

    @Test func logTicksArePowersOfTenAndTwoAndFiveWithinFewDecades() {
        #expect(Ticks.log(1e-4, 1) == [1e-4, 1e-3, 1e-2, 1e-1, 1])
        #expect(Ticks.log(1e-3, 1e-1) == [1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1])
        #expect(Ticks.log(0, 1).isEmpty)
    }

    @Test func domainsRoundOutAndSurviveEmptyAndOnePoint() {
        #expect(Scale.domain(.linear, covering: [0.13, 0.91]) == 0...1)
        #expect(Scale.domain(.linear, covering: [0.52, 0.87]) == 0.5...0.9)
        #expect(Scale.domain(.linear, covering: []) == 0...1)
        #expect(Scale.domain(.linear, covering: [.nan, .infinity]) == 0...1)
        let one = Scale.domain(.linear, covering: [5])
        #expect(one.lowerBound < 5 && one.upperBound > 5)
        #expect(Scale.domain(.linear, covering: [0]) == -1...1)
        #expect(Scale.domain(.linear, covering: [3, 4], includeZero: true).lowerBound == 0)
        #expect(Scale.domain(.log, covering: [3e-4, 3e-2]) == 1e-4...0.1)
        #expect(Scale.domain(.log, covering: [0.01]) == 0.01...0.1)
        #expect(Scale.domain(.log, covering: [-1, 0]) == 1...10, "no positive value: one decade")
    }

    @Test func scalesMapTheDomainOntoThePixels() {
        let x = Scale(.linear, domain: 0...10, pixels: (50, 150))
        #expect(x(0) == 50 && x(10) == 150 && x(5) == 100)
        let y = Scale(.linear, domain: 0...1, pixels: (200, 0))
        #expect(y(0) == 200 && y(1) == 0, "a y axis grows upwards")
        let l = Scale(.log, domain: 1e-3...1e-1, pixels: (0, 100))
        #expect(abs(l(1e-2) - 50) < 1e-9)
        #expect(l.ticks.first == 1e-3 && l.ticks.last == 1e-1)
    }

    @Test func labelsAreShort() {
        #expect(Ticks.label(0) == "0")
        #expect(Ticks.label(0.25) == "0.25")
        #expect(Ticks.label(1000) == "1000")
        #expect(Ticks.label(1e-4) == "1e-4")
        #expect(Ticks.label(2.5e6) == "2.5e6")
        #expect(Ticks.label(0.1 + 0.2) == "0.3")
    }

    @Test func polylinesBreakAtMissingValuesAndOnePointIsADot() {
        let two = SVG.polyline([(0, 0), (1, 1), (.nan, 2), (3, 3), (4, 4)], cls: "train")
        #expect(two.components(separatedBy: "<polyline").count == 3)
        let dot = SVG.polyline([(5, 6)], cls: "train")
        #expect(dot.hasPrefix("<circle") && !dot.contains("polyline"))
        #expect(SVG.polyline([], cls: "train").isEmpty)
        #expect(SVG.n(1.25) == "1.3" || SVG.n(1.25) == "1.2")
        #expect(SVG.n(3.0) == "3")
        #expect(SVG.escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
    }

    @Test func emptyAndOnePointChartsStillDrawAxes() {
        let empty = LineChart.svg(title: "loss", xLabel: "epoch", yLabel: "loss", curves: [], legend: [])
        #expect(empty.contains("no values") && empty.contains("class=\"grid\""))
        let one = LineChart.svg(title: "loss", xLabel: "epoch", yLabel: "loss",
                                curves: [LineChart.Curve(points: [(1, 0.5)], cls: "train bold")], legend: [])
        #expect(one.contains("<circle") && one.contains(">0.5<"))
        let spread = FoldSpreadChart.svg(title: "folds", yLabel: "accuracy", trials: [])
        #expect(spread.contains("no finished trials"))
        let scatter = ScatterChart.svg(title: "s", xLabel: "x", yLabel: "y", x: .categories(["a", "b"]),
                                       points: [ScatterChart.Point(x: 1, y: 0.5, cls: "pt", tip: "t")])
        #expect(scatter.contains(">a<") && scatter.contains(">b<") && scatter.contains("<title>t</title>"))
    }

    @Test func jitterIsSmallAndRepeatable() {
        let j = (0..<1000).map(Categories.jitter)
        #expect(j.allSatisfy { abs($0) <= 0.3 })
        #expect(j == (0..<1000).map(Categories.jitter))
        #expect(Set(j).count > 990)
    }

    @Test func paletteEndsAreViridisEnds() {
        #expect(Palette.sequential(0) == "#440154")
        #expect(Palette.sequential(1) == "#fde725")
        #expect(Palette.sequential(-3) == "#440154" && Palette.sequential(.nan) == "#440154")
    }

    @Test func confusionCountsAndLabels() {
        let m = ConfusionChart.counts(truth: [0, 0, 1, 2, 2, 2, 7], predicted: [0, 1, 1, 2, 0, 2, 0], classes: 3)
        #expect(m == [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
        let svg = ConfusionChart.svg(title: "c", counts: m, names: ["T-shirt/top", "Trouser", "Pullover"])
        #expect(svg.contains(">T-shirt/top<") && svg.contains(">Pullover<") && svg.contains(">2<"))
    }

    @Test func meanByEpochUsesTheFoldsThatReachIt() {
        let m = ReportSections.meanByEpoch([[1, 2, 3], [3, 4]])
        #expect(m == [2, 3, 3])
        #expect(ReportSections.meanByEpoch([]).isEmpty)
    }
}

extension ReportScaleTests {
    @Test func longCurvesAreThinnedKeepingTheEnds() {
        let long = (0..<1000).map { (Double($0), Double($0 * $0)) }
        let t = LineChart.thinned(long, limit: 400)
        #expect(t.count <= 401 && t.count >= 300)
        #expect(t.first! == long.first! && t.last! == long.last!)
        let short = Array(long.prefix(10))
        #expect(LineChart.thinned(short).map(\.0) == short.map(\.0))
    }
}

extension ReportScaleTests {
    @Test func aLossFallingOverDecadesGetsALogAxis() {
        #expect(LineChart.prefersLog([2e-3, 1e-4, 6e-6]))
        #expect(!LineChart.prefersLog([0.9, 0.5, 0.3]))
        #expect(!LineChart.prefersLog([1, 0, 1e-5]), "zero cannot be on a log axis")
        #expect(!LineChart.prefersLog([]))
        let svg = LineChart.svg(title: "loss", xLabel: "epoch", yLabel: "loss",
                                curves: [LineChart.Curve(points: [(1, 1), (2, 1e-2), (3, 1e-4)], cls: "train")], legend: [])
        #expect(svg.contains("loss (log scale)") && svg.contains(">1e-4<"))
    }
}
