/// What the target of a data set is.
public enum Task: Equatable, Sendable {
    /// Class indices 0..<classes stored as Float, one per sample; `names` when the source has them.
    case classification(classes: Int, names: [String]?)
    /// One or more real values per sample.
    case regression(outputs: Int)
}

/// Samples in memory: features row-major with each sample contiguous (channels-last for
/// images), and targets one row per sample.
public struct Dataset: Sendable {
    /// The shape of one sample, e.g. [28, 28, 1] or [4].
    public var sampleShape: [Int]
    public var x: [Float]
    /// Class index (classification) or values (regression), `targetWidth` per sample.
    public var y: [Float]
    public var task: Task

    public init(sampleShape: [Int], x: [Float], y: [Float], task: Task) {
        self.sampleShape = sampleShape
        self.x = x
        self.y = y
        self.task = task
    }

    public var featuresPerSample: Int { sampleShape.reduce(1, *) }
    public var targetWidth: Int {
        switch task {
        case .classification: 1
        case .regression(let outputs): outputs
        }
    }
    public var count: Int { y.count / max(targetWidth, 1) }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        let f = featuresPerSample, t = targetWidth
        var nx = [Float](); nx.reserveCapacity(indices.count * f)
        var ny = [Float](); ny.reserveCapacity(indices.count * t)
        for i in indices {
            nx.append(contentsOf: x[(i * f)..<((i + 1) * f)])
            ny.append(contentsOf: y[(i * t)..<((i + 1) * t)])
        }
        return Dataset(sampleShape: sampleShape, x: nx, y: ny, task: task)
    }

    /// Class labels as integers (classification only).
    public var labels: [Int] { y.map { Int($0) } }
}
