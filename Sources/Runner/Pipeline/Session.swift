import Engine
import Foundation
import Spec

/// Everything a run needs before it trains: the validated file, its trials, the data, the
/// folds, and the journal header that identifies the run.
final class Session: @unchecked Sendable {
    let experiment: Experiment
    /// The folder relative data paths are read from: the experiment file's own.
    let base: String
    let out: String
    /// The trials, each made when it is read (trial i from the seed and i): nothing is kept
    /// per trial, however many.
    let trials: LazyMapSequence<Range<Int>, Search.Trial>
    /// Halving and Hyperband's rungs (nil for random and grid).
    let rungPlan: RungPlan?
    /// Each trial's resolved configuration, or why it cannot be trained, made when read.
    let configs: TrialConfigs
    let parameterNames: [String]
    let scoring: Scoring
    /// All training data (the final model trains on it) and the test part.
    let data: LoadedData
    /// The samples cross-validation uses: the training data, or its `limit` subset.
    let cvData: Dataset
    /// The model's input shape (the file's, else the data's).
    let inputShape: [Int]
    /// Empty when the file asks for no cross-validation (no `search` section).
    let folds: [Fold]
    let header: JournalHeader
    /// The largest trial's footprint (one unit at a time), which `--jobs` multiplies.
    let largestUnit: Footprint

    var foldCount: Int { folds.count }
    var unitCount: Int { trials.count * folds.count }

    /// Loads and checks everything; `text` is the file's canonical text when reloaded from a
    /// journal (merge), else nil to read `file`.
    init(file: String, base: String? = nil, text: String? = nil, overrides: [String], trialCount: Int?, out: String?) throws(RunnerError) {
        let loaded = text.map { Experiment.load(text: $0, file: file, overrides: overrides) }
            ?? Experiment.load(path: file, overrides: overrides)
        printDiagnostics(loaded.1)
        guard let experiment = loaded.0 else { throw RunnerError("", status: ExitStatus.badInput) }
        self.experiment = experiment
        self.base = base ?? URL(fileURLWithPath: file).deletingLastPathComponent().path
        self.out = out ?? experiment.output

        parameterNames = experiment.parameters.map(\.name).sorted()
        scoring = Scoring(experiment.search?.scoring ?? Self.defaultScoring(experiment))

        var source: DataSource
        do { source = try Binding.dataSource(experiment.data) } catch {
            throw RunnerError.badInput(Say.inFile(file, error.message))
        }
        source = Self.relative(source, to: self.base)
        let d = experiment.data
        let loadedTrainShape: [Int], loadedTask: Engine.Task
        do {
            var loadedData = try prepareData(source, limit: nil, testFraction: d.test ? d.testFraction : nil, seed: experiment.seed)
            if !d.test { loadedData.test = nil }
            data = loadedData
            loadedTrainShape = loadedData.train.sampleShape
            loadedTask = loadedData.train.task
            cvData = try d.limit.map { try loadedData.train.limited(to: $0, seed: experiment.seed) } ?? loadedData.train
        } catch {
            throw RunnerError(Say.error("\(error)"), status: Self.status(error))
        }

        if let search = experiment.search {
            do {
                folds = try crossValidationFolds(for: cvData, k: search.cv, shuffle: true, seed: experiment.seed).folds
            } catch {
                throw RunnerError.badInput(Say.crossValidation(error.description))
            }
        } else {
            folds = []
        }
        do {
            let classes: Int? = if case .classification(let k, _) = loadedTask { k } else { nil }
            rungPlan = try RungPlan.make(experiment.search, foldTrainSizes: folds.map(\.train.count), classes: classes, candidates: trialCount)
        } catch {
            throw RunnerError.badInput(Say.inFile(file, Say.search(error.message)))
        }
        // A run holds every trial's configuration and results: refused, located, before any is
        // made when they cannot fit in memory (`Footprint`).
        let count = Search.count(experiment.search, count: rungPlan?.trialCount ?? trialCount)
        if let refusal = Footprint.trialsRefusal(experiment, count: count) {
            if trialCount != nil { throw RunnerError.badInput(Say.option("--trials", count, refusal)) }
            printDiagnostics([Footprint.trialsDiagnostic(experiment, count: count, file: file)].compactMap { $0 })
            throw RunnerError.diagnosticsPrinted
        }
        trials = Search.proposals(experiment.search, seed: experiment.seed, count: rungPlan?.trialCount ?? trialCount)
        let fileShape = trials.lazy.compactMap { try? experiment.resolve($0.values) }.first?.model.inputShape
        let shape = fileShape ?? loadedTrainShape
        inputShape = shape
        let width = shape.reduce(1, *)
        if let bad = experiment.predict.first(where: { $0.count != width }) {
            throw RunnerError.badInput(Say.inFile(file, Say.predictRowWidth(width, shape: shape, got: bad.count)))
        }
        // A trial whose shapes cannot work, or whose model cannot fit in memory beside the data,
        // is a failed trial (or, without a search, an error in the file). Every distinct model
        // (layers and batch size) is built once now, before any training, for the largest
        // unit `--jobs` multiplies; nothing is kept per trial.
        let memory = Footprint.sharing(data, unitData: data.train)
        configs = TrialConfigs(experiment: experiment, trials: trials, inputShape: shape, task: loadedTask, memory: memory)
        var largest = memory
        var built: Set<ValidateCommand.ModelKey> = []
        for t in trials {
            guard let c = try? experiment.resolve(t.values),
                  built.insert(ValidateCommand.ModelKey(model: c.model, batch: c.fit.batchSize)).inserted,
                  case .success(let (_, f)) = configs.sized(c), f.unit > largest.unit else { continue }
            largest = f
        }
        largestUnit = largest

        header = JournalHeader(fingerprint: Fingerprint.of([experiment.canonicalText, String(experiment.seed)]),
                               file: file, seed: experiment.seed, shard: "", version: RunnerCommand.version,
                               experiment: experiment.canonicalText, base: self.base, trials: trials.count)
            .recording(Provenance.current)
    }

    /// A data file that is there but malformed is bad input (2): running again cannot help.
    /// One that is missing or unreadable is a failure while running (1): it may appear.
    static func status(_ error: any Error) -> Int32 {
        guard let error = error as? DataError else { return ExitStatus.failure }
        switch error {
        case .missingFile, .missingFolder, .unreadable: return ExitStatus.failure
        default: return ExitStatus.badInput
        }
    }

    /// Scikit-learn's default scorer is the estimator's own score: accuracy for classifiers;
    /// runner uses the loss for regressions.
    static func defaultScoring(_ e: Experiment) -> String {
        (try? e.resolve(Search.trials(e.search, seed: e.seed, count: 1).first?.values ?? [:]))?.compile.metrics.first?.rawValue ?? "loss"
    }

    /// A located error for a trial failure of a file without a search.
    func located(_ f: TrialFailure) -> String {
        if let line = f.line, let column = f.column { return Say.located(header.file, line: line, column: column, f.message) }
        return Say.inFile(header.file, f.message)
    }

    static func relative(_ source: DataSource, to base: String) -> DataSource {
        func fix(_ p: String) -> String { p.hasPrefix("/") ? p : base + "/" + p }
        switch source {
        case .fashionMNIST(let f?): return .fashionMNIST(folder: fix(f))
        case .mnist(let f?): return .mnist(folder: fix(f))
        case let .idx(i, l, ti, tl, names): return .idx(images: fix(i), labels: fix(l), testImages: ti.map(fix), testLabels: tl.map(fix), classNames: names)
        case .csv(var c): c.path = fix(c.path); return .csv(c)
        case .npy(var n): n.x = fix(n.x); n.y = fix(n.y); return .npy(n)
        default: return source
        }
    }

    /// Each search parameter's value as the leaderboard prints it (exact, shortest form).
    func parameterText(_ trial: Int) -> [String: String] {
        trials[trial].values.mapValues(\.description)
    }
}

/// The trials' configurations, each resolved and its model checked (shapes, task, memory) when
/// read: a run of many trials keeps none of them.
struct TrialConfigs: RandomAccessCollection, @unchecked Sendable {
    let experiment: Experiment
    let trials: LazyMapSequence<Range<Int>, Search.Trial>
    let inputShape: [Int]
    let task: Engine.Task
    let memory: Footprint

    var startIndex: Int { 0 }
    var endIndex: Int { trials.count }

    subscript(t: Int) -> Result<TrialConfig, TrialFailure> {
        let config: TrialConfig
        do { config = try experiment.resolve(trials[t].values) } catch {
            return .failure(TrialFailure(message: DiagnosticRenderer.render(error.diagnostics).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return sized(config).map(\.0)
    }

    /// `config` checked by building its model (no training), with its footprint.
    func sized(_ config: TrialConfig) -> Result<(TrialConfig, Footprint), TrialFailure> {
        do throws(TrialFailure) {
            return .success((config, try Trainer.sized(config, inputShape: inputShape, task: task, seed: 0, memory: memory).footprint))
        } catch {
            return .failure(error)
        }
    }
}
