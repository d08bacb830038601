import ArgumentParser

/// The options that change what an experiment runs, shared by `run`, `plan` and `slurm`:
/// `--seed` and `--cv` become overrides of the file (so `resolved.yaml` and the journal's
/// fingerprint carry them), `--trials` only counts trials (trial i is the same whatever the
/// count, so a larger `--trials` extends a finished search).
struct ExperimentOptions: ParsableArguments {
    @Option(help: "Number of trials (default: search.trials). Trial i is the same whatever the count.")
    var trials: Int?

    @Option(help: "Folds of cross-validation, as --set search.cv=K.")
    var cv: Int?

    @Option(help: "Seed, as --set seed=S.")
    var seed: UInt64?

    @Option(name: .customLong("set"), help: "Override a key of the file, e.g. --set fit.epochs=1 (repeatable; validated like the file).")
    var overrides: [String] = []

    func validate() throws {
        // As the file's `trials`: what a run holds for them is checked later, against the
        // machine's memory (`Footprint`); `plan` prints any number.
        if let trials, trials < 1 {
            throw ValidationError(Say.expectsPositive("--trials", trials))
        }
        if let cv, cv < 2 { throw ValidationError(Say.expectsAtLeastTwo("--cv", cv)) }
    }

    /// --seed and --cv as overrides, then the --set ones, in that order.
    var allOverrides: [String] {
        var o: [String] = []
        if let seed { o.append("seed=\(seed)") }
        if let cv { o.append("search.cv=\(cv)") }
        return o + overrides
    }

    /// The same options as `runner run` arguments, for generated scripts.
    var arguments: [String] {
        var a: [String] = []
        if let trials { a += ["--trials", String(trials)] }
        if let cv { a += ["--cv", String(cv)] }
        if let seed { a += ["--seed", String(seed)] }
        for o in overrides { a += ["--set", o] }
        return a
    }
}
