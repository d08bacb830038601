/// Where an experiment's data comes from: plain values the runner fills from the
/// experiment file's `data` section (the Engine knows nothing of YAML).
public enum DataSource: Sendable, Equatable {
    /// Fashion-MNIST from its four IDX files (`.gz` or raw) in `folder`, by default
    /// `/usr/share/datasets/fashion-mnist` (Debian package `dataset-fashion-mnist`). Has a
    /// test split; classes carry Fashion-MNIST's ten names.
    case fashionMNIST(folder: String? = nil)
    /// MNIST from the same four file names in `folder`, by default `/usr/share/datasets/mnist`.
    case mnist(folder: String? = nil)
    /// Any IDX pair of images and labels, with an optional test pair; classes are
    /// `classNames` when given, else as many as the largest label + 1.
    case idx(images: String, labels: String, testImages: String? = nil, testLabels: String? = nil, classNames: [String]? = nil)
    /// scikit-learn's diabetes regression data from the files scikit-learn ships (see
    /// `Diabetes`), in `folder` or by default where Debian's `python3-sklearn` puts them.
    case diabetes(folder: String? = nil)
    /// A CSV file (see `CSV`).
    case csv(CSVSource)
    /// Two `.npy` files (see `NPY`).
    case npy(NPYSource)
    /// Data generated from the seed given to `load` (see `SyntheticSource`).
    case synthetic(SyntheticSource)

    /// The experiment-file name of the source, for messages and records.
    public var name: String {
        switch self {
        case .fashionMNIST: "fashion_mnist"
        case .mnist: "mnist"
        case .idx: "idx"
        case .diabetes: "diabetes"
        case .csv: "csv"
        case .npy: "npy"
        case .synthetic(let s):
            switch s {
            case .linear: "linear"
            case .logic, .xor: "logic"
            case .function2d: "function2d"
            case .blobs: "blobs"
            case .moons: "moons"
            case .spirals: "spirals"
            case .random: "random"
            case .stellar: "stellar"
            }
        }
    }
}

/// What `load` returns: the training part, the test part when the source has one, and notes
/// worth printing (rows dropped).
public struct LoadedData: Sendable {
    public var train: Dataset
    public var test: Dataset?
    /// Human-readable notes, e.g. how many invalid CSV rows were dropped.
    public var notes: [String]

    public init(train: Dataset, test: Dataset?, notes: [String] = []) {
        self.train = train
        self.test = test
        self.notes = notes
    }
}

/// Loads `source`; `seed` drives synthetic sources only. No preprocessing, limit or
/// hold-out is applied: see `prepareData` for the usual sequence.
public func loadData(_ source: DataSource, seed: UInt64 = 0) throws(DataError) -> LoadedData {
    switch source {
    case .fashionMNIST(let folder):
        let (train, test) = try IDX.loadFashionMNIST(folder: folder)
        return LoadedData(train: train, test: test)
    case .mnist(let folder):
        let (train, test) = try IDX.loadMNIST(folder: folder)
        return LoadedData(train: train, test: test)
    case let .idx(images, labels, testImages, testLabels, classNames):
        var train = try IDX.load(images: images, labels: labels, classNames: classNames)
        var test: Dataset?
        switch (testImages, testLabels) {
        case (nil, nil):
            break
        case let (ti?, tl?):
            var t = try IDX.load(images: ti, labels: tl, classNames: classNames)
            guard t.sampleShape == train.sampleShape else {
                throw .badIDX(path: ti, reason: EngineSay.testTrainShapes(test: t.sampleShape, train: train.sampleShape))
            }
            // Without names the class count comes from the labels: use the larger of the two.
            if classNames == nil, case .classification(let a, _) = train.task, case .classification(let b, _) = t.task {
                train.task = .classification(classes: max(a, b), names: nil)
                t.task = train.task
            }
            test = t
        default:
            throw .invalidParameter(EngineSay.idxTestPair)
        }
        return LoadedData(train: train, test: test)
    case .diabetes(let folder):
        return LoadedData(train: try Diabetes.load(folder: folder), test: nil)
    case .csv(let csv):
        let loaded = try CSV.load(csv)
        var notes = [String]()
        if loaded.droppedRows > 0 {
            notes.append(EngineSay.droppedRows(csv.path, loaded.droppedRows, firstLine: loaded.firstDroppedLine ?? 0))
        }
        return LoadedData(train: loaded.dataset, test: nil, notes: notes)
    case .npy(let npy):
        return LoadedData(train: try NPY.load(npy), test: nil)
    case .synthetic(let s):
        return LoadedData(train: try Synthetic.generate(s, seed: seed), test: nil)
    }
}

/// The usual data sequence before cross-validation: load, hold out a test part when the
/// source has none and `testFraction` is given, then keep a seeded (stratified) subset of
/// `limit` training samples. The test part is taken first, so it comes from all the data and
/// is not limited. Preprocessing is not applied here: fit a `Preprocessor` on each training
/// part (each CV training set, then the whole training part for the refit).
public func prepareData(_ source: DataSource, limit: Int? = nil, testFraction: Double? = nil, seed: UInt64) throws(DataError) -> LoadedData {
    var data = try loadData(source, seed: seed)
    if data.test == nil, let fraction = testFraction {
        let (train, test) = try data.train.holdingOut(testFraction: fraction, seed: seed)
        data.train = train
        data.test = test
    }
    if let limit {
        data.train = try data.train.limited(to: limit, seed: seed)
    }
    return data
}
