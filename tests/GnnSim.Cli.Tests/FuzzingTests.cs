using GnnSim.Cli.Bench;

namespace GnnSim.Cli.Tests;

/// <summary>The readers' fuzzing harness, a short fixed run: every reader, every kind of mutation, no failure (gnnsim bench fuzz hunts longer).</summary>
public class FuzzingTests
{
    [Fact]
    public void EveryReaderEndsEachMutantInAValidResultOrAClearErrorNamingTheFile()
    {
        var targets = Fuzzing.Targets();
        Assert.Equal(16, targets.Count);
        // 60 rounds: each of the six kinds of mutation ten times on every reader.
        var (failures, mutants) = Fuzzing.Run(targets, seed: 1, mutantsPerTarget: 60, budget: null);
        Assert.Equal(60 * targets.Count, mutants);
        Assert.True(failures.Count == 0, Fuzzing.Describe(failures));
    }

    [Fact]
    public void TheMutationsAreSeededAndDamageTheFile()
    {
        var original = Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray();
        for (var round = 0; round < 12; round++)
        {
            var (a, what) = Fuzzing.Mutate(original, new Random(5), round);
            var (b, _) = Fuzzing.Mutate(original, new Random(5), round);
            Assert.Equal(a, b);
            Assert.False(a.SequenceEqual(original), $"round {round} ({what}) left the file as it was");
        }
    }
}
