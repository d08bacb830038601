import Foundation
import Testing
@testable import Engine

@Suite("Synthetic sources")
struct SyntheticTests {
    static let all: [SyntheticSource] = [
        .linear(weights: [2, -3, 0.5], bias: 1, samples: 50, noise: 0.1),
        .function2d(.gaussianAbs, low: -0.5, high: 0.5, samples: 40, noise: 0.01),
        .blobs(classes: 4, samples: 101, features: 3, spread: 0.5, noise: 0),
        .blobs(classes: 4, samples: 101, features: 3, spread: 0.5, noise: 0.3),
        .moons(samples: 61, noise: 0.1),
        .spirals(classes: 3, samples: 90, noise: 0.2),
        .random(samples: 30, features: 5, outputs: 2, classes: nil, noise: 0),
        .random(samples: 30, features: 5, outputs: 1, classes: 4, noise: 0.5),
        .stellar(.all, samples: 40, mass: 0.1...100, metallicity: 0.0001...0.03),
    ]

    @Test("same seed same data, different seed different data", arguments: all)
    func deterministic(source: SyntheticSource) throws {
        let a = try Synthetic.generate(source, seed: 7), b = try Synthetic.generate(source, seed: 7)
        let c = try Synthetic.generate(source, seed: 8)
        #expect(a.x == b.x && a.y == b.y && a.task == b.task)
        #expect(a.x != c.x)
        #expect(a.x.count == a.count * a.featuresPerSample)
        #expect(a.y.count == a.count * a.targetWidth)
    }

    @Test("linear: y = w·x + b exactly without noise, x uniform in [0, 1)")
    func linear() throws {
        let w = [2.0, -3, 0.5]
        let d = try Synthetic.generate(.linear(weights: w, bias: 1.5, samples: 200, noise: 0), seed: 1)
        #expect(d.sampleShape == [3] && d.count == 200 && d.task == .regression(outputs: 1))
        #expect(d.x.allSatisfy { $0 >= 0 && $0 < 1 })
        for i in 0..<d.count {
            let expected = (0..<3).reduce(0.0) { $0 + w[$1] * Double(d.x[i * 3 + $1]) } + 1.5
            #expect(abs(Double(d.y[i]) - expected) <= 1e-6 * max(1, abs(expected)), "sample \(i)")
        }
        let noisy = try Synthetic.generate(.linear(weights: w, bias: 1.5, samples: 2000, noise: 0.5), seed: 1)
        var residuals = [Double]()
        for i in 0..<noisy.count {
            residuals.append(Double(noisy.y[i]) - ((0..<3).reduce(0.0) { $0 + w[$1] * Double(noisy.x[i * 3 + $1]) } + 1.5))
        }
        let std = (residuals.map { $0 * $0 }.reduce(0, +) / Double(residuals.count)).squareRoot()
        #expect(abs(std - 0.5) < 0.05)
    }

    @Test("logic: the truth table verbatim; xor")
    func logic() throws {
        let table: [[Double]] = [[0, 0, 1, 0], [1, 1, 1, 1], [1, 0, 1, 1], [0, 1, 1, 0]]
        let d = try Synthetic.generate(.logic(table: table), seed: 3)
        #expect(d.sampleShape == [3])
        #expect(d.x == [0, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1])
        #expect(d.y == [0, 1, 1, 0])
        #expect(d.task == .classification(classes: 2, names: nil))
        let x = try Synthetic.generate(.xor, seed: 0)
        #expect(x.x == [0, 0, 0, 1, 1, 0, 1, 1] && x.y == [0, 1, 1, 0])
        let r = try Synthetic.generate(.logic(table: [[0, 0.5], [1, 1.5]]), seed: 0)
        #expect(r.task == .regression(outputs: 1))
        #expect(dataError { () throws(DataError) in try Synthetic.generate(.logic(table: [[0, 1], [1]]), seed: 0) }
                == .invalidParameter("logic: row 2 has 1 values, the first row has 2"))
        #expect(dataError { () throws(DataError) in try Synthetic.generate(.logic(table: []), seed: 0) } != nil)
    }

    @Test("function2d: uniform on the square, target the named function")
    func function2d() throws {
        for f in Function2D.allCases {
            let d = try Synthetic.generate(.function2d(f, low: -2, high: 2, samples: 300, noise: 0), seed: 5)
            #expect(d.sampleShape == [2] && d.count == 300)
            #expect(d.x.allSatisfy { $0 >= -2 && $0 <= 2 })
            #expect(d.x.contains { $0 < -1.5 } && d.x.contains { $0 > 1.5 })
            for i in 0..<d.count {
                let a = Double(d.x[2 * i]), b = Double(d.x[2 * i + 1])
                #expect(abs(Double(d.y[i]) - f(a, b)) < 1e-5)
            }
        }
        // Seed 004's function, written out independently.
        #expect(abs(Function2D.gaussianAbs(0.3, -0.1) - exp(-5 * (0.09 + 0.01)) * 0.2) < 1e-12)
        #expect(Function2D.saddle(2, 1) == 3)
    }

    @Test("blobs, moons and spirals: shapes and class sizes")
    func classic() throws {
        let b = try Synthetic.generate(.blobs(classes: 4, samples: 102, features: 3, spread: 1, noise: 0), seed: 2)
        #expect(b.sampleShape == [3] && b.count == 102)
        #expect(counts(b.labels, 4) == [26, 26, 25, 25])
        let m = try Synthetic.generate(.moons(samples: 101, noise: 0), seed: 2)
        #expect(counts(m.labels, 2) == [50, 51])
        for i in 0..<m.count {
            let (x, y) = (Double(m.x[2 * i]), Double(m.x[2 * i + 1]))
            let r = m.labels[i] == 0 ? x * x + y * y : (x - 1) * (x - 1) + (y - 0.5) * (y - 0.5)
            #expect(abs(r - 1) < 1e-5)
        }
        let s = try Synthetic.generate(.spirals(classes: 3, samples: 90, noise: 0.1), seed: 2)
        #expect(counts(s.labels, 3) == [30, 30, 30])
        #expect(s.x.allSatisfy { abs($0) <= 1 })
        let r = try Synthetic.generate(.random(samples: 10, features: 4, outputs: 3, classes: nil, noise: 0), seed: 2)
        #expect(r.sampleShape == [4] && r.count == 10 && r.task == .regression(outputs: 3))
    }

    /// The standard deviation of `values` about `mean(i)`.
    func spread(_ values: [Float], about mean: (Int) -> Double = { _ in 0 }) -> Double {
        (values.indices.map { pow(Double(values[$0]) - mean($0), 2) }.reduce(0, +) / Double(values.count)).squareRoot()
    }

    @Test("noise adds Gaussian noise of its standard deviation: blobs' coordinates, random's targets or features")
    func noise() throws {
        // One blob: each coordinate is N(center, 1) + N(0, 2²), standard deviation √5.
        let quiet = try Synthetic.generate(.blobs(classes: 1, samples: 4000, features: 2, spread: 1, noise: 0), seed: 3)
        let noisy = try Synthetic.generate(.blobs(classes: 1, samples: 4000, features: 2, spread: 1, noise: 2), seed: 3)
        for j in 0..<2 {
            let q = stride(from: j, to: quiet.x.count, by: 2).map { quiet.x[$0] }, n = stride(from: j, to: noisy.x.count, by: 2).map { noisy.x[$0] }
            let center = Double(q.reduce(0, +)) / Double(q.count)
            #expect(abs(spread(q, about: { _ in center }) - 1) < 0.05)
            #expect(abs(spread(n, about: { _ in center }) - 5.0.squareRoot()) < 0.1)
        }
        // random, regression: targets N(0, 1) + N(0, 3²); the features are the same draws.
        let r0 = try Synthetic.generate(.random(samples: 4000, features: 2, outputs: 1, classes: nil, noise: 0), seed: 3)
        let r3 = try Synthetic.generate(.random(samples: 4000, features: 2, outputs: 1, classes: nil, noise: 3), seed: 3)
        #expect(r0.x == r3.x)
        #expect(abs(spread(r0.y) - 1) < 0.05 && abs(spread(r3.y) - 10.0.squareRoot()) < 0.15)
        // random, classes: the labels stay, the features get the noise.
        let c0 = try Synthetic.generate(.random(samples: 2000, features: 2, outputs: 1, classes: 3, noise: 0), seed: 3)
        let c3 = try Synthetic.generate(.random(samples: 2000, features: 2, outputs: 1, classes: 3, noise: 3), seed: 3)
        #expect(c0.y == c3.y)
        #expect(abs(spread(c0.x) - 1) < 0.05 && abs(spread(c3.x) - 10.0.squareRoot()) < 0.15)
    }

    @Test("bad parameters are errors, never traps")
    func badParameters() {
        let bad: [SyntheticSource] = [
            .linear(weights: [], bias: 0, samples: 10, noise: 0), .linear(weights: [1], bias: 0, samples: 0, noise: 0),
            .linear(weights: [1], bias: 0, samples: 10, noise: -1),
            .function2d(.saddle, low: 0, high: 0, samples: 10, noise: 0),
            .blobs(classes: 0, samples: 10, features: 2, spread: 1, noise: 0), .blobs(classes: 2, samples: 10, features: 2, spread: 1, noise: -1),
            .moons(samples: 1, noise: 0), .spirals(classes: 1, samples: 10, noise: 0),
            .random(samples: 5, features: 0, outputs: 1, classes: nil, noise: 0), .random(samples: 5, features: 2, outputs: 1, classes: 1, noise: 0),
            .random(samples: 5, features: 2, outputs: 1, classes: nil, noise: -1),
        ]
        for s in bad {
            guard case .invalidParameter? = dataError({ () throws(DataError) in try Synthetic.generate(s, seed: 0) }) else {
                Issue.record("\(s) should be an invalid parameter"); continue
            }
        }
    }
}

func counts(_ labels: [Int], _ classes: Int) -> [Int] {
    var c = [Int](repeating: 0, count: classes)
    for l in labels { c[l] += 1 }
    return c
}
