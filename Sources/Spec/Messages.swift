// Every message the Spec module prints, in one place: lowercase, naming the key, what was
// expected and what was received.

enum Messages {
    // YAML layer
    static func syntax(_ problem: String, context: String?) -> String {
        "yaml syntax error: \(problem)" + (context.map { " \($0)" } ?? "")
    }
    static let tabHint = "yaml does not allow tabs for indentation; use spaces"
    static let multipleDocuments = "a second yaml document; an experiment file holds exactly one document (remove the '---')"
    static func undefinedAlias(_ name: String) -> String { "alias '*\(name)' refers to no anchor '&\(name)' defined before it" }
    static func badMerge(_ got: String) -> String { "merge key '<<' expects a mapping or a list of mappings, got \(got)" }
    static func tooDeep(_ limit: Int) -> String { "nesting deeper than \(limit) levels; an experiment file needs a few" }
    static func aliasBudget(_ limit: Int) -> String {
        "the file expands to more than \(limit) nodes once its aliases are copied; use fewer or smaller aliases"
    }
    static func integerTooLarge(_ text: String) -> String { "integer \(text) is too large (beyond 64 bits)" }
    static func badTagged(_ text: String, _ tag: String, _ expected: String) -> String { "'\(text)' tagged \(tag) is not \(expected)" }
    static func tagMismatch(_ tag: String, _ what: String) -> String { "tag '\(tag)' cannot be put on \(what)" }
    static func unknownTag(_ tag: String) -> String {
        "unknown tag '\(tag)'; runner reads the core tags !!str, !!int, !!float, !!bool, !!null, !!seq and !!map"
    }
    static func duplicateKey(_ key: String, first: Mark) -> String {
        "duplicate key '\(key)' (first defined at line \(first.line))"
    }

    // structure
    static let emptyFile = "the file is empty; expected a mapping with sections data, model and compile"
    static func rootNotMapping(_ got: String) -> String { "the file must be a mapping of sections (data, model, compile, ...), got \(got)" }
    static func unknownKey(_ key: String, in context: String) -> String { "unknown key '\(key)' in \(context)" }
    static func missingKey(_ key: String, in context: String) -> String { "missing required key '\(key)' in \(context)" }
    static func notMapping(_ key: String, _ got: String) -> String { "'\(key)' expects a mapping, got \(got)" }
    static func notList(_ key: String, _ got: String) -> String { "'\(key)' expects a list, got \(got)" }
    static func badValue(_ key: String, expected: String, got: String) -> String { "'\(key)' expects \(expected), got \(got)" }
    static func unknownName(_ kind: String, _ name: String) -> String { "unknown \(kind) '\(name)'" }
    static func keyNotString(_ got: String) -> String { "keys must be names, got \(got)" }
    static func didYouMean(_ name: String) -> String { "did you mean '\(name)'?" }
    static func validNames(_ names: [String]) -> String { "expected one of " + names.joined(separator: ", ") }

    // layers
    static func layerForm(_ got: String) -> String {
        "a layer expects a single-key mapping like '- Dense: {units: 10}' or a 'repeat' block, got \(got)"
    }
    static func layerTooManyKeys(_ keys: [String]) -> String {
        "a layer is a mapping with exactly one key (the layer name), got keys " + keys.map { "'\($0)'" }.joined(separator: ", ")
    }
    static func layerArgs(_ layer: String, _ got: String) -> String { "\(layer) expects a mapping of arguments, got \(got)" }
    static func missingArg(_ arg: String, of owner: String) -> String { "\(owner) is missing required argument '\(arg)'" }
    static let repeatNeedsLayers = "a 'repeat' block needs a 'layers' list"
    static let emptyLayers = "'layers' expects at least one layer, got an empty list"
    static func callbackForm(_ got: String) -> String {
        "a callback expects a single-key mapping like '- EarlyStopping: {patience: 2}', got \(got)"
    }
    static func namedNeedsName(_ kind: String) -> String { "\(kind) mapping is missing required key 'name'" }
    static let emptyRegularizer = "'kernel_regularizer' mapping expects l1 and/or l2 factors"

    // data
    static func keyNotUsedBySource(_ key: String, _ source: String) -> String { "key '\(key)' has no effect for source '\(source)'" }
    static let randomClassesForRegression = "'classes' makes the random source's targets class labels; it cannot go with task: regression"
    static func sourceNeedsKey(_ source: String, _ key: String) -> String { "source '\(source)' needs key '\(key)'" }
    static let tableRows = "'table' rows must all have the same length, at least 2 (inputs then the output)"
    static let refOutsideTemplate = "parameter references ($name) are only allowed under model, compile and fit"

    // search
    static func distributionForm(_ name: String, _ got: String) -> String {
        "parameter '\(name)' expects a single-key mapping like {choice: [...]}, {randint: [low, high]}, {uniform: [low, high]} or {loguniform: [low, high]}, got \(got)"
    }
    static func distributionBounds(_ dist: String, _ got: String) -> String { "'\(dist)' expects [low, high], got \(got)" }
    static func distributionIntegers(_ got: String) -> String { "'randint' expects integer bounds [low, high), got \(got)" }
    static func lowNotBelowHigh(_ dist: String, _ low: String, _ high: String) -> String {
        "'\(dist)' expects low < high, got low \(low) and high \(high)"
    }
    static func logBoundNotPositive(_ dist: String, _ got: String) -> String { "'\(dist)' expects bounds > 0, got \(got)" }
    static let emptyChoice = "'choice' expects a non-empty list of values, got an empty list"
    static func choiceNotList(_ got: String) -> String { "'choice' expects a non-empty list of values, got \(got)" }
    static func gridContinuous(_ name: String, _ dist: String) -> String {
        "grid search cannot enumerate parameter '\(name)': '\(dist)' is continuous; use choice or randint, or strategy random"
    }
    static func halvingOnly(_ key: String, _ strategy: String) -> String {
        "'\(key)' is read by strategy halving or hyperband, not \(strategy)"
    }
    static func trialsWithHalving(_ strategy: SearchStrategy) -> String {
        strategy == .hyperband
            ? "'trials' is not read by strategy hyperband: its brackets decide the number of trials (max_resources, factor)"
            : "'trials' is not read by strategy halving: give 'candidates' (scikit-learn's n_candidates), or leave it out for 'exhaust'"
    }
    static let candidatesWithHyperband = "'candidates' is not read by strategy hyperband: its brackets decide the number of trials (max_resources, factor)"
    static let exhaustWithHyperband = "'min_resources: exhaust' is halving's; hyperband's brackets start at min_resources (an integer or smallest)"
    static let bothExhaust = "candidates and min_resources cannot both be 'exhaust' (as scikit-learn's n_candidates and min_resources)"
    static func minAboveMax(_ lo: Int, _ hi: String) -> String {
        "min_resources (\(lo)) is greater than max_resources (\(hi))"
    }
    /// `max_resources: auto` over epochs, as `minAboveMax` names it.
    static func autoEpochs(_ epochs: Int) -> String { "auto: fit.epochs, \(epochs)" }
    static func resourceSearched(_ name: String) -> String {
        "fit.epochs cannot be the search parameter '$\(name)' with resource: epochs: halving gives each rung its epochs (use resource: samples, or a fixed fit.epochs as max_resources)"
    }
    static func undefinedRef(_ name: String) -> String { "undefined parameter '$\(name)': not in search.space" }
    static func unusedParameter(_ name: String) -> String { "search parameter '\(name)' is never used (no '$\(name)' under model, compile or fit)" }
    static func refMismatch(_ key: String, _ param: String, _ dist: String, expected: String, got: String) -> String {
        "'\(key)' expects \(expected), but parameter '\(param)' (\(dist)) can give \(got)"
    }
    static func refInvalid(_ key: String, _ param: String, _ dist: String, _ inner: String) -> String {
        "'\(key)' cannot take every value of parameter '\(param)' (\(dist)): \(inner)"
    }
    static let noSpaceForRefs = "parameter references need a 'search.space' section"

    // overrides
    static func monitorWithoutValidation(_ callback: String, _ monitor: String) -> String {
        "\(callback) monitors '\(monitor)' but fit.validation_split is 0, so there is no validation data and it never acts; set validation_split (e.g. 0.1)"
    }
    static func overrideForm(_ text: String) -> String { "--set expects key.path=value, got '\(text)'" }
    static func overridePath(_ segment: String, _ got: String) -> String { "--set cannot enter '\(segment)': its parent is \(got)" }
    static func overrideIndex(_ segment: String, _ count: Int) -> String { "--set index \(segment) is out of range for a list of \(count)" }

    // resolution
    static func unknownParameterValue(_ name: String) -> String { "no value given for parameter '\(name)'" }

    /// What a value was expected to be, as `badValue` and `refMismatch` say it.
    enum Expected {
        static let integer = "an integer"
        static let number = "a number"
        static let bool = "true or false"
        static let string = "a string"
        static let null = "null, ~ or nothing"
        static func oneOf(_ words: [String]) -> String { "one of \(words.joined(separator: ", "))" }
        static let activationName = "an activation name"
        static func name(_ kind: String) -> String { "a \(kind) name" }
        static func known(_ kind: String) -> String { "a known \(kind)" }
        static func nameOrMapping(_ kind: String) -> String { "a \(kind) name or a mapping with 'name'" }
        static let regularizerName = "a regularizer"
        static let regularizer = "l1, l2, l1_l2 or a mapping like {l2: 0.01}"
        static func intOrPair(_ range: String) -> String { "an integer \(range) or [height, width] of such integers" }
        static let shape = "a non-empty list of integers > 0"
        static let numberList = "a non-empty list of numbers"
        static let stringList = "a list of strings"
        static let learningRate = "a number > 0 or a schedule like {name: exponential_decay, ...}"
        static let tableName = "xor, and, or, or a list of rows"
        static let table = "a list of rows of numbers, or xor, and, or"
        static let rows = "a list of equally long rows of numbers, e.g. [[1, 0, 0]]"
        static func interval(within range: String?) -> String { "[low, high] with low < high" + (range.map { ", both \($0)" } ?? "") }
        static func countOrWord(_ range: String, _ words: [String]) -> String { "an integer \(range) or " + words.joined(separator: ", ") }
    }

    /// A node in a message (`describe`), where its text is not shown.
    enum Described {
        static let nothing = "nothing"
        static let list = "a list"
        static let mapping = "a mapping"
        static let scalar = "a scalar"
    }

    /// libyaml's failures that carry no problem text of their own.
    enum YAMLProblem {
        static let unknown = "unknown problem"
        static let memory = "out of memory"
        static func reader(_ problem: String) -> String { "cannot read the text (\(problem))" }
        static let parserStart = "cannot start the yaml parser"
    }

    static func cannotRead(_ reason: String) -> String { "cannot read: \(reason)" }

    /// Where an unknown or missing key is, as `unknownKey` and `missingKey` say it.
    enum Context {
        static let file = "the file"
        static let repeatBlock = "a repeat block"
        static func quoted(_ key: String) -> String { "'\(key)'" }
    }
}

/// The closest name to `name` among `candidates` by optimal-string-alignment distance
/// (insertions, deletions, substitutions, adjacent swaps; case-insensitive), if close enough:
/// at most 1 edit for names up to 4 characters, 2 up to 8, 3 beyond.
func closest(to name: String, in candidates: [String]) -> String? {
    let a = Array(name.lowercased())
    let cutoff = a.count <= 4 ? 1 : a.count <= 8 ? 2 : 3
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(a, Array(c.lowercased()))
        if d <= cutoff, d < (best?.1 ?? Int.max) { best = (c, d) }
    }
    return best?.0
}

func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}

/// "did you mean 'x'?" for the closest candidate, or nil.
func suggestion(_ name: String, _ candidates: [String]) -> String? {
    closest(to: name, in: candidates).map(Messages.didYouMean)
}
