namespace GnnSim.Datasets.Tests;

/// <summary>The repository's tests/data, found from the test's output folder.</summary>
internal static class TestData
{
    public static string Path(string relative)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "GnnSim.sln"))) root = root.Parent;
        Assert.NotNull(root);
        return System.IO.Path.Combine(root.FullName, "tests", "data", relative);
    }
}
