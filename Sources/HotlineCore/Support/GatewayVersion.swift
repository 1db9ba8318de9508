/// The gateway's release, as `hotline --version` and the service's `build_info` name it.
public enum GatewayVersion {
    /// Raised with every release; the numbering follows the issue milestones (0.N after the
    /// Nth batch of work), since nothing has shipped outside the project yet.
    public static let number = "0.19.0"
}
