/// The typed experiment file. Placeholder until the YAML layer lands.
public enum SpecVersion {
    public static let format = 1
}
