using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GnnSim.Torch.Distributed;

/// <summary>
/// The variables torchrun sets for each worker (and <c>gnnsim train --nproc</c> sets the same way):
/// MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK; under torchrun's elastic agent also
/// TORCHELASTIC_USE_AGENT_STORE (the agent already hosts the store on MASTER_PORT) and
/// TORCHELASTIC_RESTART_COUNT.
/// </summary>
public sealed record TorchrunEnvironment(string MasterAddress, int MasterPort, int Rank, int WorldSize, int LocalRank,
    bool AgentHostsStore = false, int RestartCount = 0)
{
    public const int DefaultPort = 29500;

    /// <summary>
    /// The variables of this process, or null when WORLD_SIZE is not set (a single-process run).
    /// A set but malformed variable is an error naming it.
    /// </summary>
    public static TorchrunEnvironment? FromEnvironment() => From(Environment.GetEnvironmentVariable);

    public static TorchrunEnvironment? From(Func<string, string?> variable)
    {
        if (string.IsNullOrEmpty(variable("WORLD_SIZE"))) return null;
        var worldSize = Integer(variable, "WORLD_SIZE", null);
        var rank = Integer(variable, "RANK", null);
        var localRank = Integer(variable, "LOCAL_RANK", rank);
        var port = Integer(variable, "MASTER_PORT", DefaultPort);
        var address = variable("MASTER_ADDR") is { Length: > 0 } a ? a : "127.0.0.1";
        if (worldSize < 1) throw new ArgumentException($"WORLD_SIZE={worldSize}: a run needs at least one process");
        if (rank < 0 || rank >= worldSize) throw new ArgumentException($"RANK={rank} is not within WORLD_SIZE={worldSize}");
        if (localRank < 0) throw new ArgumentException($"LOCAL_RANK={localRank} is negative");
        if (port is < 1 or > 65535) throw new ArgumentException($"MASTER_PORT={port} is not a TCP port");
        var agentStore = string.Equals(variable("TORCHELASTIC_USE_AGENT_STORE"), "true", StringComparison.OrdinalIgnoreCase);
        var restarts = agentStore ? Integer(variable, "TORCHELASTIC_RESTART_COUNT", 0) : 0;
        return new TorchrunEnvironment(address, port, rank, worldSize, localRank, agentStore, restarts);
    }

    /// <summary>A TCP port free on loopback now, for a single-machine run's store.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The variables to give a worker process.</summary>
    public IReadOnlyDictionary<string, string> ToVariables() => new Dictionary<string, string>
    {
        ["MASTER_ADDR"] = MasterAddress,
        ["MASTER_PORT"] = MasterPort.ToString(CultureInfo.InvariantCulture),
        ["RANK"] = Rank.ToString(CultureInfo.InvariantCulture),
        ["WORLD_SIZE"] = WorldSize.ToString(CultureInfo.InvariantCulture),
        ["LOCAL_RANK"] = LocalRank.ToString(CultureInfo.InvariantCulture),
    };

    private static int Integer(Func<string, string?> variable, string name, int? fallback)
    {
        var text = variable(name);
        if (string.IsNullOrEmpty(text))
            return fallback ?? throw new ArgumentException($"WORLD_SIZE is set, so {name} must be too (the torchrun variables: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK)");
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{name}={text} is not an integer");
    }
}
