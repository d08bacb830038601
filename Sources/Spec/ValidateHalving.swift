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
        if let p = found["trials"] { sink.error(p.key.mark, Messages.trialsWithHalving(strategy)) }
        if strategy == .hyperband, let p = found["candidates"] { sink.error(p.key.mark, Messages.candidatesWithHyperband) }
        // The value given (or the table's default when none is); a bad value is reported (nil
        // here) and replaced by the table's default, so the checks below still run.
        func given(_ key: String) -> Value? { value(found, specs, key) }
        func fallback(_ key: String) -> Value { spec(key, specs).defaultValue ?? .null }
        let factor = given("factor")?.double ?? fallback("factor").double!
        let resource = given("resource")?.string.flatMap(HalvingResource.init(rawValue:))
            ?? HalvingResource(rawValue: fallback("resource").string!)!
        func setting(_ key: String) -> ResourceSetting { given(key).flatMap(ResourceSetting.init) ?? ResourceSetting(fallback(key))! }
        let minimum = setting("min_resources"), maximum = setting("max_resources")
        let candidates = strategy == .hyperband ? .auto : setting("candidates")
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
