namespace GnnSim.Datasets.Tests;

/// <summary>
/// A write that fails part-way (a full disk: the writer's IOException; a read-only place: access
/// denied) leaves the file that was there untouched and no temporary behind, and says which file.
/// The real full disk is measured in the hardening issue's note (a 2 MB tmpfs); here the failure is made by the writer.
/// </summary>
public class AtomicFileTests
{
    [Theory]
    [InlineData("io")]
    [InlineData("access")]
    public void AFailedWriteKeepsThePreviousFileAndNamesTheOneAskedFor(string failure)
    {
        var folder = Directory.CreateTempSubdirectory("gnnsim-atomic-").FullName;
        try
        {
            var path = Path.Combine(folder, "checkpoint.pt");
            File.WriteAllText(path, "the previous checkpoint");
            var error = Assert.Throws<IOException>(() => AtomicFile.Replace(path, temporary =>
            {
                File.WriteAllText(temporary, "half of the new one");
                throw failure == "io"
                    ? new IOException($"No space left on device : '{temporary}'")
                    : new UnauthorizedAccessException($"Access to the path '{temporary}' is denied.");
            }));
            Assert.StartsWith($"{path} was not written, and the file there (if any) is unchanged", error.Message);
            Assert.Contains(failure == "io" ? $"No space left on device : '{path}'" : $"Access to the path '{path}' is denied", error.Message);
            Assert.Equal("the previous checkpoint", File.ReadAllText(path));
            Assert.Equal([path], Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
