namespace GnnSim.Cli.Bench;

internal static class RepositoryPaths
{
    /// <summary>The checkout the CLI was built in (the folder holding GnnSim.sln), or null when installed elsewhere.</summary>
    public static string? Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GnnSim.sln"))) return dir.FullName;
        return null;
    }
}
