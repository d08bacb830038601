// Validation of the successive-halving keys of `search` (strategy halving or hyperband): the
// keys Catalog.searchKeys declares, checked for the strategy that reads them, with
// scikit-learn's refusals (both 'exhaust', min_resources above max_resources, a resource
// that is also a searched parameter) located where the file says them.

extension Validator {
    /// The keys only halving and Hyperband read.
    static let halvingKeys = ["factor", "resource", "min_resources", "max_resources", "candidates"]

    /// Halving's settings from the `search` keys `found`, or nil for random and grid (where
    /// any halving key is an error). `epochs` is filled later from `fit` (`halvingFit`).
    mutating func halvingSettings(_ found: [String: Pair], strategy: SearchStrategy) -> HalvingConfig? {
        let specs = Catalog.searchKeys
        guard strategy.isSuccessive else {
            for k in Self.halvingKeys { if let p = found[k] { sink.error(p.key.mark, Messages.halvingOnly(k, strategy.rawValue)) } }
            return nil
        }
        if let p = found["trials"] { sink.error(p.key.mark, Messages.trialsWithHalving(strategy.rawValue)) }
        if strategy == .hyperband, let p = found["candidates"] { sink.error(p.key.mark, Messages.candidatesWithHyperband) }
        let factor = value(found, specs, "factor")?.double ?? 3
        let resource = HalvingResource(rawValue: value(found, specs, "resource")?.string ?? "epochs") ?? .epochs
        // A bad value is reported and replaced by the default, so the checks below still run.
        func setting(_ key: String, default d: ResourceSetting) -> ResourceSetting {
            switch value(found, specs, key) {
            case .int(let i)?: return .count(i)
            case .string("smallest")?: return .smallest
            case .string("exhaust")?: return .exhaust
            case .string("auto")?: return .auto
            default: return d
            }
        }
        let minimum = setting("min_resources", default: .smallest), maximum = setting("max_resources", default: .auto)
        let candidates = strategy == .hyperband ? .auto : setting("candidates", default: .exhaust)
        if minimum == .exhaust, let p = found["min_resources"] {
            if strategy == .hyperband {
                sink.error(p.value.mark, Messages.exhaustWithHyperband)
            } else if candidates == .exhaust {
                sink.error(p.value.mark, Messages.bothExhaust)
            }
        }
        if case .count(let lo) = minimum, case .count(let hi) = maximum, lo > hi, let p = found["min_resources"] {
            sink.error(p.value.mark, Messages.minAboveMax(lo, String(hi)))
        }
        return HalvingConfig(factor: factor, resource: resource, minResources: minimum, maxResources: maximum,
                             candidates: candidates, epochs: 1)
    }

    /// Fills `fit.epochs` into halving's settings and refuses what cannot work with the epochs
    /// resource: `fit.epochs` drawn from the space (scikit-learn refuses a resource that is
    /// also searched), or a `min_resources` above the `fit.epochs` that `max_resources: auto` means.
    mutating func halvingFit(_ search: inout SearchConfig?, top: [String: Pair], searchNode: Node?) {
        guard var h = search?.halving else { return }
        let epochsNode = top["fit"]?.value["epochs"]
        if case .int(let e)? = epochsNode?.scalar, e > 0 { h.epochs = e }
        if h.resource == .epochs {
            if let node = epochsNode, let name = referenceName(node) {
                sink.error(node.mark, Messages.resourceSearched(name))
            }
            if h.maxResources == .auto, case .count(let lo) = h.minResources, lo > h.epochs,
               let node = searchNode?["min_resources"] {
                sink.error(node.mark, Messages.minAboveMax(lo, Messages.autoEpochs(h.epochs)))
            }
        }
        search?.halving = h
    }
}
