// The typed experiment: what a valid file means, as plain Swift values. Nothing here knows
// about training; the runner turns these into Engine objects.

/// A search parameter's distribution, with scipy.stats meanings.
public enum Distribution: Sendable, Hashable {
    /// Uniform over the listed values.
    case choice([Value])
    /// Integers in [low, high): high exclusive, as `scipy.stats.randint`.
    case randint(low: Int, high: Int)
    /// Real numbers uniform in [low, high].
    case uniform(low: Double, high: Double)
    /// exp(uniform(log low, log high)), as `scipy.stats.loguniform` (alias `reciprocal`).
    case loguniform(low: Double, high: Double)

    /// The distribution's name as written in the file.
    public var name: String {
        switch self {
        case .choice: return "choice"
        case .randint: return "randint"
        case .uniform: return "uniform"
        case .loguniform: return "loguniform"
        }
    }

    /// True for uniform and loguniform, which a grid cannot enumerate.
    public var isContinuous: Bool {
        switch self {
        case .uniform, .loguniform: return true
        default: return false
        }
    }

    /// Every value, in order, for a grid: the choices, or low..<high for randint; nil if continuous.
    public var gridValues: [Value]? {
        switch self {
        case .choice(let v): return v
        case .randint(let lo, let hi): return (lo..<hi).map { .int($0) }
        default: return nil
        }
    }
}

/// One search parameter: its name (used as `$name`), distribution and place in the file.
public struct SearchParameter: Sendable, Hashable {
    public var name: String
    public var distribution: Distribution
    public var line: Int
    public var column: Int
}

/// `search.strategy`.
public enum SearchStrategy: String, Sendable, Hashable, CaseIterable {
    case random
    case grid
    /// scikit-learn's `HalvingRandomSearchCV`: random candidates, successive halving over rungs.
    case halving
    /// Li et al.'s Hyperband as KerasTuner's `Hyperband(max_epochs, factor)`: brackets of halving.
    case hyperband

    /// Whether the strategy trains in rungs (halving, hyperband).
    public var isSuccessive: Bool { self == .halving || self == .hyperband }
}

/// What a rung of halving or Hyperband gives more of (scikit-learn's `resource`).
public enum HalvingResource: String, Sendable, Hashable, CaseIterable {
    /// Epochs of training; a promoted unit continues from its saved state.
    case epochs
    /// Training samples per fold (scikit-learn's `n_samples`); each rung trains afresh.
    case samples
}

/// `search.min_resources`, `max_resources` or `candidates`: a number or a word.
public enum ResourceSetting: Sendable, Hashable {
    case count(Int)
    /// min_resources: 1 epoch, or 2 · cv · classes samples (scikit-learn's `'smallest'`).
    case smallest
    /// min_resources: as large as the rungs allow; candidates: as many as they can hold.
    case exhaust
    /// max_resources: `fit.epochs`, or the size of a fold's training part.
    case auto

    /// The word the file writes for each setting but a count, declared once.
    public var word: String? {
        switch self {
        case .count: nil
        case .smallest: "smallest"
        case .exhaust: "exhaust"
        case .auto: "auto"
        }
    }

    /// The setting a file's value names: an integer, or one of the words.
    init?(_ v: Value) {
        if case .int(let n) = v { self = .count(n); return }
        guard let s = v.string, let w = [Self.smallest, .exhaust, .auto].first(where: { $0.word == s }) else { return nil }
        self = w
    }
}

/// The successive-halving settings of `search` (strategy halving or hyperband).
public struct HalvingConfig: Sendable, Hashable {
    public var factor: Double
    public var resource: HalvingResource
    public var minResources: ResourceSetting
    public var maxResources: ResourceSetting
    /// Halving: the first rung's candidates (`.count` or `.exhaust`); Hyperband: `.auto`.
    public var candidates: ResourceSetting
    /// `fit.epochs` as the file gives it (the default `max_resources` with `resource: epochs`).
    public var epochs: Int
}

/// The `search` section, defaults filled.
public struct SearchConfig: Sendable, Hashable {
    public var strategy: SearchStrategy
    /// Random: the number of trials (n_iter, default 10). Grid: a cap on the grid, nil for all of it.
    public var trials: Int?
    /// Cross-validation folds (default 5, as scikit-learn).
    public var cv: Int
    /// `loss` or a metric name; the default is `accuracy` if it is a metric, else the first metric, else `loss`.
    public var scoring: String
    public var refit: Bool
    /// The parameters, sorted by name (the order every draw and the grid follow).
    public var space: [SearchParameter]
    /// Halving and Hyperband's settings (nil for random and grid).
    public var halving: HalvingConfig? = nil
}

/// The `data` section, defaults filled. Keys a source ignores keep their defaults.
public struct DataConfig: Sendable, Hashable {
    public var source: DataSourceKind
    public var path: String?
    public var features: [String]?
    public var target: String?
    public var task: TaskKind?
    public var dropInvalid: Bool
    public var x: String?
    public var y: String?
    public var weights: [Double]?
    public var bias: Double
    public var samples: Int
    public var noise: Double
    /// The truth table's rows (inputs then output); `xor`, `and`, `or` expand to 2-input tables.
    public var table: [[Double]]?
    public var function: Function2DKind?
    /// function2d: [low, high] for both coordinates.
    public var range: [Double]
    public var classes: Int
    /// random: number of input features.
    public var inputs: Int
    /// stellar: `log_luminosity`, `log_radius`, `log_ms_lifetime` or `all`.
    public var quantity: StellarQuantityKind
    /// stellar: [low, high] of the masses (solar masses) and of the metallicities Z.
    public var massRange: [Double]
    public var metallicityRange: [Double]
    public var limit: Int?
    public var preprocess: PreprocessMethod
    public var testFraction: Double
    public var test: Bool
}

/// One layer, resolved: Keras class name, every argument (defaults filled, normalized) and
/// where it was written.
///
/// Normalized argument values: integers `.int`; real numbers `.double` (even if written `1`);
/// `kernel_size`, `strides`, `pool_size` `.list([h, w])` (MaxPooling/AveragePooling strides
/// default to pool_size); activations `.string`; initializers `.map(["name": .string, args...])`;
/// regularizers `.null` or `.map(["l1": .double, "l2": .double])`; `target_shape` `.list` of `.int`.
public struct LayerConfig: Sendable, Hashable {
    public var kind: LayerKind
    public var args: [String: Value]
    public var line: Int
    public var column: Int
}

/// The `model` section for one trial: `repeat` blocks expanded, references substituted.
public struct ModelConfig: Sendable, Hashable {
    public var inputShape: [Int]?
    public var layers: [LayerConfig]
}

/// A learning rate: constant, or a Keras schedule stepped once per batch.
public enum LearningRateSetting: Sendable, Hashable {
    case constant(Double)
    case exponentialDecay(initial: Double, decaySteps: Int, decayRate: Double, staircase: Bool)
    case cosineDecay(initial: Double, decaySteps: Int, alpha: Double)
}

/// The optimizer: its kind, learning rate, and every other argument (doubles, bools,
/// `.null` for unset clipnorm/clipvalue/weight_decay).
public struct OptimizerConfig: Sendable, Hashable {
    public var kind: OptimizerKind
    public var learningRate: LearningRateSetting
    public var args: [String: Value]
}

/// The loss: its kind (`mse` becomes `.meanSquaredError`) and its arguments.
public struct LossConfig: Sendable, Hashable {
    public var kind: LossKind
    public var args: [String: Value]
}

/// The `compile` section for one trial.
public struct CompileConfig: Sendable, Hashable {
    public var loss: LossConfig
    public var optimizer: OptimizerConfig
    /// The metrics, each by its canonical kind (an alias is resolved).
    public var metrics: [MetricKind]
}

/// One callback: Keras class name and every argument, defaults filled.
public struct CallbackConfig: Sendable, Hashable {
    public var kind: CallbackKind
    public var args: [String: Value]
    public var line: Int
    public var column: Int
}

/// The `fit` section for one trial.
public struct FitArguments: Sendable, Hashable {
    public var epochs: Int
    public var batchSize: Int
    public var validationSplit: Double
    public var shuffle: Bool
    public var callbacks: [CallbackConfig]
}

/// Everything one trial trains: the parameter values and the model, compile and fit they give.
public struct TrialConfig: Sendable, Hashable {
    public var parameters: [String: Value]
    public var model: ModelConfig
    public var compile: CompileConfig
    public var fit: FitArguments
}

/// A resolution that failed: the trial's values do not make a valid configuration.
public struct ResolutionError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var description: String { DiagnosticRenderer.render(diagnostics) }
}

/// A validated experiment file. `model`, `compile` and `fit` may still hold `$references`;
/// `resolve(_:)` gives the configuration for one trial's parameter values.
public struct Experiment: Sendable {
    public var name: String
    public var seed: UInt64
    public var threads: Int?
    /// The results folder (default `runs/<name>`).
    public var output: String
    public var data: DataConfig
    /// Nil when the file has no `search` section: one configuration, trained once.
    public var search: SearchConfig?
    /// Inputs the final model predicts after training (`predict:`), one row each.
    public var predict: [[Double]]
    /// The file as run (overrides applied, anchors and merges expanded) as canonical YAML.
    public var canonicalText: String

    /// The document after overrides, for resolution.
    let root: Node
    let file: String

    /// Where the value at `path` (keys from the top, e.g. ["search", "trials"]) was written:
    /// in the file, or on the command line (`--set`); nil when the file does not say it.
    public func mark(at path: [String]) -> Mark? {
        var node: Node? = root
        for key in path { node = node?[key] }
        return node?.mark
    }

    /// The search parameters, sorted by name (empty without a search).
    public var parameters: [SearchParameter] { search?.space ?? [] }

    /// The configuration for one trial: every `$name` replaced by `values[name]`, `repeat`
    /// blocks expanded, defaults filled from the argument tables. Throws if a value is
    /// missing or does not fit (values drawn from the file's own space always fit).
    public func resolve(_ values: [String: Value] = [:]) throws(ResolutionError) -> TrialConfig {
        var v = Validator(file: file)
        guard let t = v.trial(root, values: values) else {
            throw ResolutionError(diagnostics: DiagnosticRenderer.sorted(v.sink.items))
        }
        return t
    }
}
