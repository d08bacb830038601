import Engine
import Spec

/// What a run holds in memory, estimated before anything is allocated, and the one limit it is
/// checked against: half of this machine's physical memory (the rest is the system's, the
/// page cache's and other programs'). `validate`, `plan`, `run` and each trial's model
/// (`Trainer.model`) all use this rule, so a file that validates here does not die later for
/// want of memory, and one that cannot fit is refused with the estimate, at the layer.
///
/// The estimate, in bytes:
///
///     data + jobs × (16·weights + activations·(4·max(batch, 256) + 8·batch) + unitData)
///
/// - `data`: the loaded training and test data, shared by every unit (features as stored: a
///   byte per pixel for IDX images, else float32; float32 targets);
/// - `weights`: the model's parameters, 16 bytes each: value, gradient and two optimizer slots
///   (Adam's moments; SGD with momentum needs one);
/// - `activations`: the values one sample has at the model's input and after each layer; each
///   layer keeps its output for batches of up to max(batch, 256) samples (evaluation runs 256
///   at a time) and, for a training batch, its input gradient and a cache;
/// - `unitData`: what each unit copies of the data: its training and held-out folds, and the
///   training and validation parts of a `validation_split` (preprocessing makes no copy: it is
///   applied as batches are read);
/// - `jobs`: units trained at once.
struct Footprint: Sendable {
    /// The limit: half of the physical memory.
    static var limit: Double { Double(FileBytes.physicalMemory) / 2 }

    var weights = 0.0
    var activations = 0.0
    var batch = 32.0
    var data = 0.0
    var unitData = 0.0
    var jobs = 1

    /// One unit's bytes (its model, batches and data copies).
    var unit: Double { 16 * weights + activations * (4 * max(batch, 256) + 8 * batch) + unitData }
    var total: Double { data + Double(jobs) * unit }
    var fits: Bool { total <= Self.limit }

    /// The shared and per-unit data of a run that trains on `data` and cross-validates (or
    /// refits) on `unitSamples` samples of it.
    static func sharing(_ data: LoadedData, unitData: Dataset?, jobs: Int = 1) -> Footprint {
        func bytes(_ d: Dataset) -> Double { Double(d.storage.byteCount + 4 * d.y.count) }
        return Footprint(data: bytes(data.train) + (data.test.map(bytes) ?? 0), unitData: 2 * (unitData.map(bytes) ?? 0), jobs: jobs)
    }

    /// Builds `model` for samples of `inputShape`, checking before each layer allocates its
    /// weights that the model so far, with `self`'s data and jobs, fits the limit; returns the
    /// whole model's footprint. Refused: a `ShapeError` at the layer that crosses the limit.
    func build(_ model: Sequential, inputShape: [Int], seed: UInt64, batch: Int) throws(ShapeError) -> Footprint {
        var f = self
        f.batch = Double(batch)
        f.weights = 0
        f.activations = Self.count(checkedProduct(inputShape))
        try model.build(inputShape: inputShape, seed: seed) { (i, layer, shape) throws(ShapeError) in
            f.weights += Self.count(weightsNeeded(layer, inputShape: shape))
            if i > 0 { f.activations += Self.count(checkedProduct(shape)) }
            guard f.fits else { throw ShapeError(layerIndex: i, f.refusal) }
        }
        f.activations += Self.count(checkedProduct(model.outputShape))
        guard f.fits else { throw ShapeError(layerIndex: max(model.layers.count - 1, 0), f.refusal) }
        return f
    }

    private static func count(_ n: Int?) -> Double { Double(n ?? Int.max) }

    /// The largest number of units at once that fit (0 when not even one does).
    var jobsThatFit: Int {
        let room = Self.limit - data
        guard unit > 0 else { return Int.max }
        return room < unit ? 0 : Int(min(room / unit, 1e6))
    }

    /// The message for a model that does not fit: the estimate, what it is made of, the limit.
    var refusal: String {
        var parts = [Say.weightCount(Self.integer(weights)), Say.activations(Self.integer(activations), batch: Self.integer(batch))]
        if data > 0 { parts.append(Say.data(Self.bytes(data + unitData))) }
        return Say.modelTooLarge(total: Self.bytes(total), parts: parts, jobs: jobs, machine: Self.bytes(Self.limit * 2),
                                 limit: Self.bytes(Self.limit))
    }

    static func integer(_ v: Double) -> String { v >= 9.2e18 ? Say.beyondInt64 : String(Int(v)) }

    /// Bytes as KiB, MiB, GiB or TiB, rounded up, so an estimate is never understated.
    static func bytes(_ b: Double) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = b, i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        if i == units.count - 1 && v >= 1024 { return Say.beyondEiB }
        return i == 0 ? "\(Int(v)) bytes" : "\(Int(v.rounded(.up))) \(units[i])"
    }
}

extension Footprint {
    /// What a run holds for each finished trial whatever its model, in bytes (trials and their
    /// configurations are made when needed, never kept): for each fold the journal record the
    /// leaderboard is made from (the parameter values, the scores and the history of every
    /// epoch: loss and each metric, with their val_ twins).
    static func perTrial(_ e: Experiment) -> Double {
        let first = try? e.resolve(Search.proposals(e.search, seed: e.seed, count: 1).first?.values ?? [:])
        let epochs = Double(first?.fit.epochs ?? 1), columns = Double(2 * (1 + (first?.compile.metrics.count ?? 0)))
        let folds = Double(e.search?.cv ?? 1)
        return 256 + folds * (640 + 128 * Double(e.parameters.count) + 8 * epochs * columns)
    }

    /// Why a run of `count` trials of `e` cannot hold their results in half of this machine's
    /// memory (nil when it can): the estimate, what it is made of, the limit and what fits.
    static func trialsRefusal(_ e: Experiment, count: Int) -> String? {
        let each = perTrial(e)
        let total = Double(count) * each
        guard total > limit else { return nil }
        let fit = Int(limit / each)
        return Say.tooManyTrials(count, total: bytes(total), each: bytes(each), folds: e.search?.cv ?? 1, machine: bytes(limit * 2),
                                 limit: bytes(limit), fit: fit)
    }

    /// `trialsRefusal` as a located diagnostic: at `search.trials` (or `--set`), else the file.
    static func trialsDiagnostic(_ e: Experiment, count: Int, file: String) -> Diagnostic? {
        guard let message = trialsRefusal(e, count: count) else { return nil }
        let mark = e.mark(at: ["search", "trials"])
        return Diagnostic(severity: .error, file: mark?.commandLine == true ? Diagnostic.commandLine : file,
                          line: mark?.line ?? 1, column: mark?.column ?? 1, message: message)
    }
}
