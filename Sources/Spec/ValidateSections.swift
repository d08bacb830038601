// Validation of the sections: search (and its space), data, model (layers and repeat blocks),
// compile (loss, optimizer, learning rate, metrics) and fit (callbacks). Each returns its typed
// value, defaults from the tables, or nil after reporting.

extension Validator {
    /// The search settings, and the parameters the templates may refer to.
    mutating func searchSection(_ node: Node) -> (SearchConfig?, References) {
        let specs = Catalog.searchKeys
        var refs = References(space: [:], used: [])
        guard node.pairs != nil else {
            if node.scalar != .null { sink.error(node.mark, Messages.notMapping("search", describe(node))); return (nil, refs) }
            return (searchConfig(sectionValues([:], specs, only: Self.searchSettings), found: [:], space: []), refs)
        }
        let found = keys(node, specs, context: "search")
        let values = sectionValues(found, specs, only: Self.searchSettings)
        let strategy = SearchStrategy(rawValue: values.get("strategy", \.string)) ?? .random
        var params: [SearchParameter] = []
        if let sp = found["space"]?.value {
            if let pairs = sp.pairs {
                for p in pairs {
                    guard let name = p.key.string else { sink.error(p.key.mark, Messages.keyNotString(describe(p.key))); continue }
                    if let d = distribution(p.value, name: name, strategy: strategy) {
                        let param = SearchParameter(name: name, distribution: d, line: p.key.mark.line, column: p.key.mark.column)
                        params.append(param)
                        refs.space[name] = param
                    }
                }
            } else if sp.scalar != .null {
                sink.error(sp.mark, Messages.notMapping("space", describe(sp)))
            }
        }
        // Names stay in the space even when their distribution is bad, so references to
        // them are not also reported as undefined.
        if let pairs = found["space"]?.value.pairs {
            for p in pairs {
                if let n = p.key.string, refs.space[n] == nil {
                    refs.space[n] = SearchParameter(name: n, distribution: .choice([]), line: 0, column: 0)
                    refs.used.insert(n)
                }
            }
        }
        var config = searchConfig(values, found: found, space: params.sorted { $0.name < $1.name })
        config.halving = halvingSettings(found, strategy: strategy)
        return (config, refs)
    }

    /// The keys of `search` read here (halving's are read by `halvingSettings`).
    static let searchSettings: Set<String> = ["strategy", "trials", "cv", "scoring", "refit"]

    private func searchConfig(_ values: SectionValues, found: [String: Pair], space: [SearchParameter]) -> SearchConfig {
        let strategy = SearchStrategy(rawValue: values.get("strategy", \.string)) ?? .random
        // Random search draws `trials` (its default when not given); for the others it is a
        // cap, and none when not given.
        let trials = strategy == .random || found["trials"] != nil ? values.get("trials", \.int) : nil
        return SearchConfig(strategy: strategy, trials: trials, cv: values.get("cv", \.int),
                            scoring: values.optional("scoring", \.string) ?? "", refit: values.get("refit", \.bool), space: space)
    }

    private mutating func distribution(_ node: Node, name: String, strategy: SearchStrategy) -> Distribution? {
        let dnames = Catalog.names(Catalog.distributions)
        guard let pairs = node.pairs, pairs.count == 1, let dkey = pairs[0].key.string else {
            sink.error(node.mark, Messages.distributionForm(name, describe(node)))
            return nil
        }
        let keyMark = pairs[0].key.mark
        guard let e = Catalog.find(dkey, in: Catalog.distributions) else {
            sink.error(keyMark, Messages.unknownName("distribution", dkey), hint: suggestion(dkey, dnames) ?? Messages.validNames(dnames))
            return nil
        }
        let v = pairs[0].value
        if strategy == .grid, e.name == "uniform" || e.name == "loguniform" {
            sink.error(keyMark, Messages.gridContinuous(name, dkey))
            return nil
        }
        if e.name == "choice" {
            guard let items = v.items else { sink.error(v.mark, Messages.choiceNotList(describe(v))); return nil }
            guard !items.isEmpty else { sink.error(v.mark, Messages.emptyChoice); return nil }
            return .choice(items.map(Value.init))
        }
        guard let items = v.items, items.count == 2,
              let lo = Value(items[0].scalar ?? .null).double, let hi = Value(items[1].scalar ?? .null).double,
              items[0].scalar != .null, items[1].scalar != .null else {
            sink.error(v.mark, Messages.distributionBounds(dkey, describe(v)))
            return nil
        }
        if e.name == "randint" {
            guard case .int(let a)? = items[0].scalar, case .int(let b)? = items[1].scalar else {
                sink.error(v.mark, Messages.distributionIntegers(Value(v).description))
                return nil
            }
            guard a < b else { sink.error(v.mark, Messages.lowNotBelowHigh(dkey, String(a), String(b))); return nil }
            return .randint(low: a, high: b)
        }
        if e.name == "loguniform" {
            for it in items where (Value(it.scalar ?? .null).double ?? 0) <= 0 {
                sink.error(it.mark, Messages.logBoundNotPositive(dkey, describe(it)))
                return nil
            }
        }
        guard lo < hi, lo.isFinite, hi.isFinite else {
            sink.error(v.mark, Messages.lowNotBelowHigh(dkey, describe(items[0]), describe(items[1])))
            return nil
        }
        return e.name == "uniform" ? .uniform(low: lo, high: hi) : .loguniform(low: lo, high: hi)
    }

    mutating func dataSection(_ node: Node) -> DataConfig? {
        guard node.pairs != nil else { sink.error(node.mark, Messages.notMapping("data", describe(node))); return nil }
        let specs = Catalog.dataKeys
        let found = keys(node, specs, context: "data")
        requireKeys(found, specs, in: node, context: "data")
        let values = sectionValues(found, specs)
        guard let source = values.optional("source", \.string),
              let entry = Catalog.dataSources.first(where: { $0.name == source }),
              let sourcePair = found["source"] else { return nil }
        for p in node.pairs ?? [] {
            if let k = p.key.string, k != "source", found[k] != nil, !entry.keys.contains(k) {
                sink.warning(p.key.mark, Messages.keyNotUsedBySource(k, source))
            }
        }
        var ok = !values.failed
        for k in entry.required where found[k] == nil {
            sink.error(sourcePair.value.mark, Messages.sourceNeedsKey(source, k))
            ok = false
        }
        // random: `classes` alone asks for class labels, as `task: classification` does.
        var task = values.optional("task", \.string).flatMap(TaskKind.init(rawValue:))
        if entry.kind == .random, let classes = found["classes"] {
            if task == .regression {
                sink.error(classes.key.mark, Messages.randomClassesForRegression)
                ok = false
            }
            task = .classification
        }
        guard ok else { return nil }
        func string(_ k: String) -> String? { values.optional(k, \.string) }
        func doubles(_ k: String) -> [Double]? { values.optional(k) { $0.list?.compactMap(\.double) } }
        return DataConfig(
            source: entry.kind, path: string("path"), features: values.optional("features") { $0.list?.compactMap(\.string) },
            target: string("target"), task: task, dropInvalid: values.get("drop_invalid", \.bool),
            x: string("x"), y: string("y"), weights: doubles("weights"), bias: values.get("bias", \.double),
            samples: values.get("samples", \.int), noise: values.get("noise", \.double),
            table: values.optional("table") { $0.list?.map { $0.list?.compactMap(\.double) ?? [] } },
            function: string("function").flatMap(Function2DKind.init(rawValue:)), range: values.get("range") { $0.list?.compactMap(\.double) },
            classes: values.get("classes", \.int), inputs: values.get("inputs", \.int),
            quantity: values.get("quantity") { $0.string.flatMap(StellarQuantityKind.init(rawValue:)) },
            massRange: values.get("mass_range") { $0.list?.compactMap(\.double) },
            metallicityRange: values.get("metallicity_range") { $0.list?.compactMap(\.double) }, limit: values.optional("limit", \.int),
            preprocess: values.get("preprocess") { $0.string.flatMap(PreprocessMethod.init(rawValue:)) },
            testFraction: values.get("test_fraction", \.double), test: values.get("test", \.bool))
    }

    mutating func modelSection(_ node: Node) -> ModelConfig? {
        guard node.pairs != nil else { sink.error(node.mark, Messages.notMapping("model", describe(node))); return nil }
        let specs = Catalog.modelKeys
        let found = keys(node, specs, context: "model")
        requireKeys(found, specs, in: node, context: "model")
        let shape = found["input_shape"].map { arg($0.value, spec("input_shape", specs)) }
        guard let layersNode = found["layers"]?.value else { return nil }
        guard layersNode.items != nil else { sink.error(layersNode.mark, Messages.notList("layers", describe(layersNode))); return nil }
        if layersNode.items?.isEmpty == true { sink.error(layersNode.mark, Messages.emptyLayers); return nil }
        let layers = layerList(layersNode)
        if case .some(.none) = shape { return nil }
        guard let layers else { return nil }
        return ModelConfig(inputShape: shape??.list?.compactMap(\.int), layers: layers)
    }

    private mutating func layerList(_ node: Node) -> [LayerConfig]? {
        var out: [LayerConfig] = []
        var ok = true
        let layerNames = Catalog.layers.map(\.name)
        for item in node.items ?? [] {
            // `- Flatten` is short for `- Flatten: {}`.
            if let name = item.string, let e = Catalog.find(name, in: Catalog.layers) {
                if let (_, a) = args(Node(.mapping([]), mark: item.mark), e, owner: e.name, at: item.mark).value {
                    out.append(layer(e.kind(), a, item.mark))
                } else { ok = false }
                continue
            }
            guard let pairs = item.pairs, !pairs.isEmpty else {
                if let name = item.string {
                    sink.error(item.mark, Messages.unknownName("layer", name), hint: suggestion(name, layerNames + ["repeat"]))
                } else {
                    sink.error(item.mark, Messages.layerForm(describe(item)))
                }
                ok = false
                continue
            }
            if pairs.contains(where: { $0.key.keyText == "repeat" }) {
                if let block = repeatBlock(item) { out.append(contentsOf: block) } else { ok = false }
                continue
            }
            guard pairs.count == 1 else {
                sink.error(pairs[1].key.mark, Messages.layerTooManyKeys(pairs.compactMap(\.key.keyText)))
                ok = false
                continue
            }
            let key = pairs[0].key
            guard let name = key.string, let e = Catalog.find(name, in: Catalog.layers) else {
                let name = key.keyText ?? ""
                sink.error(key.mark, Messages.unknownName("layer", name), hint: suggestion(name, layerNames + ["repeat"]))
                ok = false
                continue
            }
            if let (_, a) = args(pairs[0].value, e, owner: e.name, at: key.mark).value {
                out.append(layer(e.kind(), a, key.mark))
            } else { ok = false }
        }
        return ok ? out : nil
    }

    private func layer(_ kind: LayerKind, _ args: [String: Value], _ mark: Mark) -> LayerConfig {
        var args = args
        if args["strides"] == .null, let pool = args["pool_size"] { args["strides"] = pool }
        return LayerConfig(kind: kind, args: args, line: mark.line, column: mark.column)
    }

    private mutating func repeatBlock(_ item: Node) -> [LayerConfig]? {
        let specs = Catalog.repeatKeys
        let found = keys(item, specs, context: Messages.Context.repeatBlock)
        let count = found["repeat"].flatMap { arg($0.value, specs[0]) }
        guard let layersNode = found["layers"]?.value else { sink.error(item.mark, Messages.repeatNeedsLayers); return nil }
        guard layersNode.items != nil else { sink.error(layersNode.mark, Messages.notList("layers", describe(layersNode))); return nil }
        if layersNode.items?.isEmpty == true { sink.error(layersNode.mark, Messages.emptyLayers); return nil }
        guard let block = layerList(layersNode), let count else { return nil }
        let n = count.int ?? 1   // a reference checks as .null: keep one copy for validation
        return Array(repeating: block, count: max(n, 0)).flatMap { $0 }
    }

    mutating func compileSection(_ node: Node) -> CompileConfig? {
        guard node.pairs != nil else { sink.error(node.mark, Messages.notMapping("compile", describe(node))); return nil }
        let specs = Catalog.compileKeys
        let found = keys(node, specs, context: "compile")
        requireKeys(found, specs, in: node, context: "compile")
        let loss = found["loss"].flatMap { named($0.value, key: "loss", table: Catalog.losses, kind: "loss").value }
        let optNode = found["optimizer"]?.value ?? Validator.node(from: spec("optimizer", specs).defaultValue ?? .null, mark: node.mark)
        let opt = named(optNode, key: "optimizer", table: Catalog.optimizers, kind: "optimizer").value
        var metrics: [MetricKind] = []
        var ok = true
        if let m = found["metrics"]?.value {
            if let items = m.items {
                let names = Catalog.names(Catalog.metrics)
                for it in items {
                    if let v = arg(it, ArgSpec("metrics", .oneOf(names), nil, nil, "")) {
                        if let s = v.string, let e = Catalog.find(s, in: Catalog.metrics) { metrics.append(e.kind()) }
                    } else { ok = false }
                }
            } else if let one = m.string, Catalog.find(one, in: Catalog.metrics) != nil {
                metrics = [Catalog.find(one, in: Catalog.metrics)!.kind()]
            } else {
                sink.error(m.mark, Messages.notList("metrics", describe(m)))
                ok = false
            }
        }
        guard ok, let (lossEntry, lossArgs) = loss, let (optEntry, optArgs) = opt else { return nil }
        var rest = optArgs
        let lr = Validator.learningRate(rest.removeValue(forKey: "learning_rate") ?? .null)
        return CompileConfig(loss: LossConfig(kind: lossEntry.kind(), args: lossArgs),
                             optimizer: OptimizerConfig(kind: optEntry.kind(), learningRate: lr, args: rest),
                             metrics: metrics)
    }

    /// The learning rate `named` resolved for an optimizer: a number, or a schedule's
    /// arguments with the table's defaults filled. In a template a `$reference` stands for a
    /// value not known yet (`.null`), and the setting is a placeholder (NaN), discarded with it.
    static func learningRate(_ v: Value) -> LearningRateSetting {
        guard let m = v.map, let kind = m["name"]?.string.flatMap(ScheduleKind.init(rawValue:)) else {
            return .constant(v.double ?? .nan)
        }
        let initial = m["initial_learning_rate"]?.double ?? .nan, steps = m["decay_steps"]?.int ?? 0
        switch kind {
        case .exponentialDecay:
            return .exponentialDecay(initial: initial, decaySteps: steps, decayRate: m["decay_rate"]?.double ?? .nan,
                                     staircase: m["staircase"]?.bool ?? false)
        case .cosineDecay:
            return .cosineDecay(initial: initial, decaySteps: steps, alpha: m["alpha"]?.double ?? .nan)
        }
    }

    mutating func fitSection(_ node: Node) -> FitArguments {
        let specs = Catalog.fitKeys
        if node.pairs == nil, node.scalar != .null { sink.error(node.mark, Messages.notMapping("fit", describe(node))) }
        let found = keys(node, specs, context: "fit")
        let values = sectionValues(found, specs)
        let split = values.get("validation_split", \.double)
        var callbacks: [CallbackConfig] = []
        if let c = found["callbacks"]?.value {
            if let items = c.items {
                let names = Catalog.callbacks.map(\.name)
                for it in items {
                    var name: String?, argNode = Node(.mapping([]), mark: it.mark), keyMark = it.mark
                    if let s = it.string { name = s }
                    else if let pairs = it.pairs, pairs.count == 1, let k = pairs[0].key.string {
                        name = k; argNode = pairs[0].value; keyMark = pairs[0].key.mark
                    } else {
                        sink.error(it.mark, Messages.callbackForm(describe(it)))
                        continue
                    }
                    guard let name, let e = Catalog.find(name, in: Catalog.callbacks) else {
                        sink.error(keyMark, Messages.unknownName("callback", name ?? ""), hint: suggestion(name ?? "", names) ?? Messages.validNames(names))
                        continue
                    }
                    if let (_, a) = args(argNode, e, owner: e.name, at: keyMark).value {
                        callbacks.append(CallbackConfig(kind: e.kind(), args: a, line: keyMark.line, column: keyMark.column))
                        // Keras warns and ignores a callback watching val_ metrics without validation data.
                        if let monitor = a["monitor"]?.string, monitor.hasPrefix("val_"), split == 0 {
                            sink.warning(keyMark, Messages.monitorWithoutValidation(e.name, monitor))
                        }
                    }
                }
            } else if c.scalar != .null {
                sink.error(c.mark, Messages.notList("callbacks", describe(c)))
            }
        }
        return FitArguments(epochs: values.get("epochs", \.int), batchSize: values.get("batch_size", \.int), validationSplit: split,
                            shuffle: values.get("shuffle", \.bool), callbacks: callbacks)
    }
}
