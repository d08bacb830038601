#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A named function of two variables, for `SyntheticSource.function2d` (the file's names are
/// Spec's `Function2DKind`).
public enum Function2D: Sendable, Equatable, CaseIterable {
    /// exp(−5(x² + y²)) · |x + y|: the target of the 2-D regression in seed notebook 004.
    case gaussianAbs
    /// sin(2πx) · cos(2πy): one period along each axis of the default square [−½, ½]².
    case sinCos
    /// x² − y²: a saddle.
    case saddle
    /// cos(4π√(x² + y²)): concentric ripples, two rings within radius ½.
    case ripple

    /// The function's value at (x, y).
    public func callAsFunction(_ x: Double, _ y: Double) -> Double {
        switch self {
        case .gaussianAbs: exp(-5 * (x * x + y * y)) * abs(x + y)
        case .sinCos: sin(2 * Double.pi * x) * cos(2 * Double.pi * y)
        case .saddle: x * x - y * y
        case .ripple: cos(4 * Double.pi * (x * x + y * y).squareRoot())
        }
    }
}

/// Data made up from a seed: the toy problems of the seed notebooks and the classic 2-D
/// playground sets. The same source and seed always give the same samples, on every machine
/// (every draw comes from `RandomGenerator`). Unless said otherwise samples come out in a
/// random order. The cases take every parameter: the defaults a file gets are Spec's
/// (its data keys and `Catalog.Synthetic`), bound in the Runner.
public enum SyntheticSource: Sendable, Equatable {
    /// Regression y = w·x + b + noise, as in seed notebook 000: each feature uniform in
    /// [0, 1), one feature per weight, `noise` the standard deviation of Gaussian noise on y.
    /// Samples are in draw order.
    case linear(weights: [Double], bias: Double, samples: Int, noise: Double)
    /// An explicit truth table: each row holds the inputs, then the output, e.g. the 3-input
    /// table of seed notebook 002 `[[0,0,1,0],[1,1,1,1],[1,0,1,1],[0,1,1,0]]`. The rows are
    /// the samples, verbatim and in order. Outputs that are all whole numbers ≥ 0 make a
    /// classification (at least 2 classes, as 0/1 tables are); any other output makes a
    /// regression.
    case logic(table: [[Double]])
    /// The XOR table `[[0,0,0],[0,1,1],[1,0,1],[1,1,0]]`, as `logic`.
    case xor
    /// Samples of a named function, (x, y) uniform on the square [low, high)², target
    /// f(x, y) plus Gaussian noise of standard deviation `noise`. Seed 004 uses [−½, ½).
    case function2d(Function2D, low: Double, high: Double, samples: Int, noise: Double)
    /// Gaussian clusters, as scikit-learn's `make_blobs`: `classes` centers uniform in
    /// [−10, 10]^features, each sample normal around its class center with standard
    /// deviation `spread` (make_blobs' `cluster_std`), plus Gaussian noise of standard deviation
    /// `noise` on every coordinate; classes as equal in size as possible (the first ones one
    /// larger).
    case blobs(classes: Int, samples: Int, features: Int, spread: Double, noise: Double)
    /// Two interleaving half circles, as scikit-learn's `make_moons`: class 0 on the upper
    /// arc (cos t, sin t), class 1 on the lower (1 − cos t, ½ − sin t), t evenly spaced in
    /// [0, π] (class 0 gets the smaller half when `samples` is odd), plus Gaussian noise of
    /// standard deviation `noise` on both coordinates.
    case moons(samples: Int, noise: Double)
    /// Interleaved spiral arms, one per class (the CS231n toy set): arm c's i-th point has
    /// radius t = i/(m − 1) and angle 2πc/classes + 3πt + noise·N(0, 1) radians.
    case spirals(classes: Int, samples: Int, noise: Double)
    /// Features and targets with no relation, as seed notebook 003's dummy data: features
    /// N(0, 1); targets N(0, 1) (`outputs` values each) or, with `classes`, labels uniform
    /// over the classes; plus Gaussian noise of standard deviation `noise` on the targets
    /// (regression) or on the features (classes), as the other sources add it. A model can
    /// only memorize it: the validation loss must not fall.
    case random(samples: Int, features: Int, outputs: Int, classes: Int?, noise: Double)
    /// Stars for an emulator (seed notebook 000's goal): masses log-uniform in `mass` (M☉),
    /// metallicities log-uniform in `metallicity`; features [log10 M, log10 Z]; targets the
    /// `quantity` from the published fits of `StellarFits` (both ranges must lie within
    /// `StellarFits.validMass` and `validMetallicity`). Samples are in draw order.
    case stellar(StellarQuantity, samples: Int, mass: ClosedRange<Double>, metallicity: ClosedRange<Double>)
}

/// Generation of `SyntheticSource` data.
public enum Synthetic {
    /// The samples of `source` drawn with `seed` (stream "data.synthetic").
    public static func generate(_ source: SyntheticSource, seed: UInt64) throws(DataError) -> Dataset {
        var rng = RandomGenerator(seed: seed, stream: "data.synthetic")
        switch source {
        case let .linear(weights, bias, samples, noise):
            try require(!weights.isEmpty, EngineSay.noWeights)
            try checkSamples(samples, "linear")
            try checkNoise(noise, "linear")
            let f = weights.count
            var x = [Float](), y = [Float]()
            x.reserveCapacity(samples * f)
            y.reserveCapacity(samples)
            for _ in 0..<samples {
                var sum = 0.0
                for w in weights {
                    let v = Float(rng.nextDouble())
                    x.append(v)
                    sum += w * Double(v)
                }
                sum += bias
                if noise > 0 { sum += noise * rng.normal() }
                y.append(Float(sum))
            }
            return Dataset(sampleShape: [f], x: x, y: y, task: .regression(outputs: 1))

        case .xor:
            return try generate(.logic(table: [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]), seed: seed)

        case let .logic(table):
            try require(!table.isEmpty, EngineSay.emptyTable)
            let width = table[0].count
            try require(width >= 2, EngineSay.narrowTable)
            for (i, row) in table.enumerated() where row.count != width {
                throw .invalidParameter(EngineSay.ragged(row: i + 1, count: row.count, width: width))
            }
            let x = table.flatMap { $0.dropLast().map(Float.init) }
            let outputs = table.map { $0[width - 1] }
            let isClass = outputs.allSatisfy { $0 >= 0 && $0 == $0.rounded() && $0 < 1e6 }
            let task: Task = isClass
                ? .classification(classes: max(2, Int(outputs.max()!) + 1), names: nil)
                : .regression(outputs: 1)
            return Dataset(sampleShape: [width - 1], x: x, y: outputs.map(Float.init), task: task)

        case let .function2d(function, low, high, samples, noise):
            try require(low < high && low.isFinite && high.isFinite, EngineSay.badRange(low: low, high: high))
            try checkSamples(samples, "function2d")
            try checkNoise(noise, "function2d")
            var x = [Float](), y = [Float]()
            for _ in 0..<samples {
                let a = Float(rng.uniform(low, high)), b = Float(rng.uniform(low, high))
                var v = function(Double(a), Double(b))
                if noise > 0 { v += noise * rng.normal() }
                x += [a, b]
                y.append(Float(v))
            }
            return Dataset(sampleShape: [2], x: x, y: y, task: .regression(outputs: 1))

        case let .blobs(classes, samples, features, spread, noise):
            try require(classes >= 1, EngineSay.atLeast("blobs", "classes", 1, got: classes))
            try require(features >= 1, EngineSay.atLeast("blobs", "features", 1, got: features))
            try require(spread >= 0 && spread.isFinite, EngineSay.atLeast("blobs", "spread", 0, got: spread))
            try checkSamples(samples, "blobs")
            try checkNoise(noise, "blobs")
            let centers = (0..<(classes * features)).map { _ in rng.uniform(-10, 10) }
            var points = [([Float], Float)]()
            for c in 0..<classes {
                let m = samples / classes + (c < samples % classes ? 1 : 0)
                for _ in 0..<m {
                    let p = (0..<features).map { j in Float(centers[c * features + j] + spread * rng.normal()) }
                    points.append((p, Float(c)))
                }
            }
            if noise > 0 {
                for i in points.indices { points[i].0 = points[i].0.map { $0 + Float(noise * rng.normal()) } }
            }
            return shuffled(points, shape: [features], task: .classification(classes: classes, names: nil), &rng)

        case let .moons(samples, noise):
            try require(samples >= 2, EngineSay.atLeast("moons", "samples", 2, got: samples))
            try checkNoise(noise, "moons")
            let outer = samples / 2, inner = samples - outer
            var points = [([Float], Float)]()
            func t(_ i: Int, of m: Int) -> Double { m == 1 ? 0 : Double.pi * Double(i) / Double(m - 1) }
            for i in 0..<outer { points.append(([cos(t(i, of: outer)), sin(t(i, of: outer))].map { Float($0) }, 0)) }
            for i in 0..<inner { points.append(([1 - cos(t(i, of: inner)), 0.5 - sin(t(i, of: inner))].map { Float($0) }, 1)) }
            if noise > 0 {
                for i in points.indices { points[i].0 = points[i].0.map { $0 + Float(noise * rng.normal()) } }
            }
            return shuffled(points, shape: [2], task: .classification(classes: 2, names: nil), &rng)

        case let .spirals(classes, samples, noise):
            try require(classes >= 2, EngineSay.atLeast("spirals", "classes", 2, got: classes))
            try checkSamples(samples, "spirals")
            try checkNoise(noise, "spirals")
            var points = [([Float], Float)]()
            for c in 0..<classes {
                let m = samples / classes + (c < samples % classes ? 1 : 0)
                for i in 0..<m {
                    let r = m == 1 ? 0 : Double(i) / Double(m - 1)
                    let angle = 2 * Double.pi * Double(c) / Double(classes) + 3 * Double.pi * r + noise * rng.normal()
                    points.append(([Float(r * cos(angle)), Float(r * sin(angle))], Float(c)))
                }
            }
            return shuffled(points, shape: [2], task: .classification(classes: classes, names: nil), &rng)

        case let .random(samples, features, outputs, classes, noise):
            try checkSamples(samples, "random")
            try require(features >= 1, EngineSay.atLeast("random", "features", 1, got: features))
            try require(outputs >= 1, EngineSay.atLeast("random", "outputs", 1, got: outputs))
            try checkNoise(noise, "random")
            var x = (0..<(samples * features)).map { _ in Float(rng.normal()) }
            if let classes {
                try require(classes >= 2, EngineSay.atLeast("random", "classes", 2, got: classes))
                let y = (0..<samples).map { _ in Float(rng.nextInt(below: classes)) }
                if noise > 0 { x = x.map { $0 + Float(noise * rng.normal()) } }
                return Dataset(sampleShape: [features], x: x, y: y, task: .classification(classes: classes, names: nil))
            }
            var y = (0..<(samples * outputs)).map { _ in Float(rng.normal()) }
            if noise > 0 { y = y.map { $0 + Float(noise * rng.normal()) } }
            return Dataset(sampleShape: [features], x: x, y: y, task: .regression(outputs: outputs))

        case let .stellar(quantity, samples, mass, metallicity):
            try checkSamples(samples, "stellar")
            try require(mass.lowerBound > 0 && StellarFits.validMass.contains(mass.lowerBound) && StellarFits.validMass.contains(mass.upperBound),
                        EngineSay.massOutside(mass.lowerBound, mass.upperBound))
            try require(metallicity.lowerBound > 0 && StellarFits.validMetallicity.contains(metallicity.lowerBound)
                        && StellarFits.validMetallicity.contains(metallicity.upperBound),
                        EngineSay.metallicityOutside(metallicity.lowerBound, metallicity.upperBound))
            let (m0, m1) = (log10(mass.lowerBound), log10(mass.upperBound))
            let (z0, z1) = (log10(metallicity.lowerBound), log10(metallicity.upperBound))
            var x = [Float](), y = [Float]()
            x.reserveCapacity(2 * samples)
            y.reserveCapacity(quantity.outputs * samples)
            for _ in 0..<samples {
                let logM = rng.uniform(m0, m1), logZ = rng.uniform(z0, z1)
                x += [Float(logM), Float(logZ)]
                y += quantity.values(mass: pow(10, logM), metallicity: pow(10, logZ)).map(Float.init)
            }
            return Dataset(sampleShape: [2], x: x, y: y, task: .regression(outputs: quantity.outputs))
        }
    }

    private static func shuffled(_ points: [([Float], Float)], shape: [Int], task: Task, _ rng: inout RandomGenerator) -> Dataset {
        let order = rng.permutation(points.count)
        return Dataset(sampleShape: shape, x: order.flatMap { points[$0].0 }, y: order.map { points[$0].1 }, task: task)
    }

    private static func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(DataError) {
        if !condition { throw .invalidParameter(message()) }
    }

    private static func checkSamples(_ n: Int, _ name: String) throws(DataError) {
        try require(n >= 1, EngineSay.atLeast(name, "samples", 1, got: n))
    }

    private static func checkNoise(_ noise: Double, _ name: String) throws(DataError) {
        try require(noise >= 0 && noise.isFinite, EngineSay.atLeast(name, "noise", 0, got: noise))
    }
}
