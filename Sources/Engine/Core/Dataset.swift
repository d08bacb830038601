import CWide

/// What the target of a data set is.
public enum Task: Equatable, Sendable {
    /// Class indices 0..<classes stored as Float, one per sample; `names` when the source has them.
    case classification(classes: Int, names: [String]?)
    /// One or more real values per sample.
    case regression(outputs: Int)
}

/// How a data set holds its features.
public enum FeatureStorage: Sendable, Equatable {
    /// Any real values.
    case floats([Float])
    /// 8-bit values (IDX pixels), read as `Float(byte)`: a quarter of the memory of the same
    /// values as floats, which the batches get when they are gathered.
    case bytes([UInt8])

    /// The bytes the features take.
    public var byteCount: Int {
        switch self {
        case .floats(let v): v.count * MemoryLayout<Float>.stride
        case .bytes(let v): v.count
        }
    }
}

/// Samples in memory: features row-major with each sample contiguous (channels-last for
/// images), and targets one row per sample.
///
/// The features are stored as loaded (`storage`: floats, or the bytes of 8-bit images) and a
/// fitted preprocessing is kept beside them (`map`) rather than applied to a copy: whoever reads
/// features (`x`, `copyFeatures`, the batches of `fit`, `evaluate` and `predict`) gets
/// (value − shift) / divisor, the same Float operations in the same order as a preprocessed
/// copy would hold, so the numbers are the same bits while all the data a run keeps is one
/// copy of the samples as loaded.
public struct Dataset: Sendable {
    /// The shape of one sample, e.g. [28, 28, 1] or [4].
    public var sampleShape: [Int]
    /// The features as loaded.
    public private(set) var storage: FeatureStorage
    /// The per-feature map applied whenever features are read (nil: the values as stored).
    public private(set) var map: Preprocessor?
    /// Class index (classification) or values (regression), `targetWidth` per sample.
    public var y: [Float]
    public var task: Task

    public init(sampleShape: [Int], x: [Float], y: [Float], task: Task) {
        self.init(sampleShape: sampleShape, storage: .floats(x), y: y, task: task)
    }

    /// A data set whose features are stored as given (`.bytes` for 8-bit images).
    public init(sampleShape: [Int], storage: FeatureStorage, y: [Float], task: Task) {
        self.sampleShape = sampleShape
        self.storage = storage
        self.y = y
        self.task = task
    }

    /// All features as floats, `map` applied. Setting them stores floats and drops the map.
    public var x: [Float] {
        get {
            if map == nil, case .floats(let v) = storage { return v }
            let total = storedCount
            let f = max(featuresPerSample, 1)
            return [Float](unsafeUninitializedCapacity: total) { out, initialized in
                copyFeatures(rows: 0..<(total / f), into: out.baseAddress!)
                initialized = total
            }
        }
        set {
            storage = .floats(newValue)
            map = nil
        }
    }

    /// The number of feature values stored (samples × features per sample).
    public var storedCount: Int {
        switch storage {
        case .floats(let v): v.count
        case .bytes(let v): v.count
        }
    }

    public var featuresPerSample: Int { sampleShape.reduce(1, *) }
    public var targetWidth: Int {
        switch task {
        case .classification: 1
        case .regression(let outputs): outputs
        }
    }
    public var count: Int { y.count / max(targetWidth, 1) }

    /// Writes the features of the samples `rows`, one after another and `map` applied, to `out`
    /// (room for rows.count × featuresPerSample floats): the one place features are read.
    public func copyFeatures<Rows: Collection<Int>>(rows: Rows, into out: UnsafeMutablePointer<Float>) {
        let f = featuresPerSample
        func each<T>(_ v: [T], _ row: (UnsafePointer<T>, UnsafeMutablePointer<Float>) -> Void) {
            v.withUnsafeBufferPointer { src in
                // Shuffled rows lie anywhere in the data set: ask for the rows two ahead while
                // this one is converted, so each row's first lines need not wait on memory.
                let bytes = f * MemoryLayout<T>.stride
                var ahead = rows.makeIterator()
                for _ in 0..<2 { if let j = ahead.next() { cwide_prefetch(src.baseAddress! + j * f, bytes) } }
                var d = out
                for i in rows {
                    if let j = ahead.next() { cwide_prefetch(src.baseAddress! + j * f, bytes) }
                    row(src.baseAddress! + i * f, d)
                    d += f
                }
            }
        }
        guard let map, map.method != .none else {
            switch storage {
            case .floats(let v): each(v) { s, d in d.update(from: s, count: f) }
            case .bytes(let v): each(v) { s, d in for j in 0..<f { d[j] = Float(s[j]) } }
            }
            return
        }
        precondition(map.shift.count == f, "Dataset: a map of \(map.shift.count) features on samples of \(f)")
        map.shift.withUnsafeBufferPointer { sh in
            map.divisor.withUnsafeBufferPointer { dv in
                let s = sh.baseAddress!, k = dv.baseAddress!
                switch storage {
                case .floats(let v): each(v) { x, d in for j in 0..<f { d[j] = (x[j] - s[j]) / k[j] } }
                case .bytes(let v): each(v) { x, d in for j in 0..<f { d[j] = (Float(x[j]) - s[j]) / k[j] } }
                }
            }
        }
    }

    /// This data set with `preprocessor` kept as its map (applied when features are read). A
    /// data set that has a map already gets its mapped values stored first.
    func mapped(by preprocessor: Preprocessor) -> Dataset {
        var out = self
        if out.map != nil { out.x = out.x }
        out.map = preprocessor.method == .none ? nil : preprocessor
        return out
    }

    /// The samples at `indices`, in that order (stored as this set's are, with its map).
    public func subset(_ indices: [Int]) -> Dataset {
        let f = featuresPerSample, t = targetWidth
        func rows<T>(_ v: [T]) -> [T] {
            var out = [T](); out.reserveCapacity(indices.count * f)
            for i in indices { out.append(contentsOf: v[(i * f)..<((i + 1) * f)]) }
            return out
        }
        var ny = [Float](); ny.reserveCapacity(indices.count * t)
        for i in indices { ny.append(contentsOf: y[(i * t)..<((i + 1) * t)]) }
        let storage: FeatureStorage = switch self.storage {
        case .floats(let v): .floats(rows(v))
        case .bytes(let v): .bytes(rows(v))
        }
        var out = Dataset(sampleShape: sampleShape, storage: storage, y: ny, task: task)
        out.map = map
        return out
    }

    /// Class labels as integers (classification only).
    public var labels: [Int] { y.map { Int($0) } }
}
