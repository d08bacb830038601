import Testing
@testable import Engine

/// IDX images are kept as bytes and the preprocessing as a per-feature map applied when a batch
/// is gathered (`Dataset.storage`, `Dataset.map`). Training on them must give the bits that
/// training on a preprocessed Float copy gives (the way the data was held before): the same
/// Float operations in the same order.
@Suite struct CompactDataTests {
    /// 90 images of 5×4 pixels, bytes from the engine's generator (a few columns constant, so
    /// standardize and minmax meet a zero spread), three classes.
    static func pixels(_ n: Int, seed: UInt64) -> (bytes: [UInt8], labels: [Float]) {
        var rng = RandomGenerator(seed: seed)
        var bytes = [UInt8]()
        for _ in 0..<n {
            for j in 0..<20 { bytes.append(j % 7 == 3 ? 17 : UInt8(truncatingIfNeeded: rng.next() >> 56)) }
        }
        return (bytes, (0..<n).map { Float($0 % 3) })
    }

    static let task = Task.classification(classes: 3, names: nil)

    /// The same samples three ways: bytes, floats, and floats with `p` applied to a copy up
    /// front (the old path), the first two with `p` as their map.
    static func variants(_ bytes: [UInt8], _ labels: [Float], _ p: Preprocessor) -> [Dataset] {
        let asBytes = Dataset(sampleShape: [5, 4, 1], storage: .bytes(bytes), y: labels, task: task)
        let asFloats = Dataset(sampleShape: [5, 4, 1], x: bytes.map(Float.init), y: labels, task: task)
        var copy = bytes.map(Float.init)
        p.apply(to: &copy)
        return [p.apply(to: asBytes), p.apply(to: asFloats), Dataset(sampleShape: [5, 4, 1], x: copy, y: labels, task: task)]
    }

    @Test(arguments: [Preprocessing.none, .scale, .standardize, .minmax])
    func bytesWithAMapTrainAsAPreprocessedFloatCopy(_ method: Preprocessing) throws {
        let (bytes, labels) = Self.pixels(90, seed: 5)
        let (testBytes, testLabels) = Self.pixels(31, seed: 6)
        let raw = Dataset(sampleShape: [5, 4, 1], storage: .bytes(bytes), y: labels, task: Self.task)
        let p = Preprocessor(fitting: method, on: raw)
        // Fitted on bytes as on their floats.
        #expect(p == Preprocessor(fitting: method, on: Dataset(sampleShape: [5, 4, 1], x: bytes.map(Float.init), y: labels, task: Self.task)))
        let trains = Self.variants(bytes, labels, p), tests = Self.variants(testBytes, testLabels, p)
        #expect(trains[0].x == trains[2].x && trains[1].x == trains[2].x)

        var results = [(History, [[Float]], Logs, [Float])]()
        for (train, test) in zip(trains, tests) {
            let model = try builtModel([Conv2D.keras(filters: 3, kernelSize: 2, activation: .relu), Flatten(),
                                        Dense.keras(units: 3, activation: .softmax)], input: [5, 4, 1], seed: 3)
            let config = FitConfig.keras(loss: .keras(.sparseCategoricalCrossentropy), optimizer: Optimizer.named("adam")!,
                                         metrics: [.accuracy], epochs: 3, batchSize: 16, seed: 8)
            let r = try fit(model, train: train.subset(Array(0..<70)), validation: train.subset(Array(70..<90)), config: config)
            let logs = try evaluate(model, data: test, loss: .keras(.sparseCategoricalCrossentropy), metrics: [.accuracy], batchSize: 8)
            #expect(predict(model, data: test, batchSize: 8) == predict(model, x: test.x, batchSize: 8))
            results.append((r.history, model.weights(), logs, predict(model, data: test, batchSize: 8)))
        }
        for r in results.dropFirst() {
            #expect(r.0 == results[0].0)
            #expect(r.1 == results[0].1)
            #expect(r.2 == results[0].2)
            #expect(r.3 == results[0].3)
        }
    }

    @Test func subsetsLimitsAndHoldOutsKeepTheBytesAndTheMap() throws {
        let (bytes, labels) = Self.pixels(90, seed: 5)
        let raw = Dataset(sampleShape: [5, 4, 1], storage: .bytes(bytes), y: labels, task: Self.task)
        let mapped = Preprocessor(fitting: .standardize, on: raw).apply(to: raw)
        let floats = Dataset(sampleShape: [5, 4, 1], x: mapped.x, y: labels, task: Self.task)
        let picks = [4, 1, 88, 1]
        let parts = [(mapped.subset(picks), floats.subset(picks)),
                     (try mapped.limited(to: 40, seed: 2), try floats.limited(to: 40, seed: 2)),
                     (try mapped.holdingOut(testFraction: 0.3, seed: 2).test, try floats.holdingOut(testFraction: 0.3, seed: 2).test)]
        for (compact, plain) in parts {
            guard case .bytes(let b) = compact.storage else { Issue.record("stored as \(compact.storage)"); continue }
            #expect(b.count == compact.count * 20)
            #expect(compact.map == mapped.map)
            #expect(compact.x == plain.x && compact.y == plain.y)
        }
    }

    @Test func aSecondMapAppliesToTheFirstsValues() {
        let (bytes, labels) = Self.pixels(30, seed: 7)
        let raw = Dataset(sampleShape: [20], storage: .bytes(bytes), y: labels, task: Self.task)
        let scaled = Preprocessor(fitting: .scale, on: raw).apply(to: raw)
        let second = Preprocessor(fitting: .standardize, on: scaled)
        var expected = scaled.x
        second.apply(to: &expected)
        #expect(second.apply(to: scaled).x == expected)
        // Setting the values stores them as floats, without a map.
        var set = scaled
        set.x = [Float](repeating: 1, count: 600)
        #expect(set.map == nil && set.x == [Float](repeating: 1, count: 600) && set.storage == .floats(set.x))
    }

    /// A batch gathered in parts on two threads (`gatherFeatures`) holds the bits of one serial
    /// `copyFeatures`: shuffled rows from the middle of the order (a slice not starting at 0),
    /// batches of one part, several parts and a ragged split.
    @Test(arguments: [Preprocessing.scale, .standardize])
    func aBatchGatheredInPartsIsTheSerialGather(_ method: Preprocessing) {
        var rng = RandomGenerator(seed: 11)
        let n = 700, f = 784
        let bytes = (0..<(n * f)).map { _ in UInt8(truncatingIfNeeded: rng.next() >> 56) }
        let raw = Dataset(sampleShape: [28, 28], storage: .bytes(bytes), y: (0..<n).map { Float($0 % 3) }, task: Self.task)
        let data = Preprocessor(fitting: method, on: raw).apply(to: raw)
        var order = Array(0..<n)
        rng.shuffle(&order)
        let saved = Threads.budget
        defer { Threads.budget = saved }
        Threads.budget = 2
        for (start, count, parts) in [(3, 32, 1), (50, 100, 2), (101, 300, 7), (7, 257, 6)] {
            #expect(gatherParts(rows: count, features: f).count == parts, "\(count) rows")
            let rows = order[start..<(start + count)]
            let x = Tensor(shape: [1, 28, 28])
            var shape = [1, 28, 28]
            gatherFeatures(data, rows: rows, into: x, shape: &shape)
            var serial = [Float](repeating: .nan, count: count * f)
            serial.withUnsafeMutableBufferPointer { data.copyFeatures(rows: rows, into: $0.baseAddress!) }
            #expect(x.shape == [count, 28, 28])
            #expect(x.array.map(\.bitPattern) == serial.map(\.bitPattern), "rows \(start)..<\(start + count)")
        }
    }

}
