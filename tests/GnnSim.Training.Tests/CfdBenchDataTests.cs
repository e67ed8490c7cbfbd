using GnnSim.Datasets.CfdBench;
using GnnSim.Datasets.Npy;

namespace GnnSim.Training.Tests;

public class CfdBenchDataTests
{
    /// <summary>Ten tiny cavity cases (4 x 4 cells, 3 frames) whose lid speed grows with the case number, written as CFDBench lays them out.</summary>
    private static string WriteCavityCases(string root, double? frameDt)
    {
        for (var i = 0; i < 10; i++)
        {
            var directory = CfdBenchGenerator.CaseDirectory(root, CfdProblem.Cavity, CfdSubset.Bc, i);
            Directory.CreateDirectory(directory);
            var u = Enumerable.Range(0, 3 * 16).Select(k => 0.01f * k * (i + 1)).ToArray();
            NpyFile.Write(Path.Combine(directory, "u.npy"), [3, 4, 4], u);
            NpyFile.Write(Path.Combine(directory, "v.npy"), [3, 4, 4], u.Select(x => -x).ToArray());
            var @case = CfdBenchCase.Defaults(CfdProblem.Cavity).With("vel_top", 1 + i);
            CaseJson.Write(Path.Combine(directory, "case.json"), @case, frameDt is { } dt ? [new("frame_dt", dt)] : []);
        }
        return root;
    }

    [Fact]
    public void FramesAreTheCaseFilesFrameDtApartAndParametersAreTheConfigsChoice()
    {
        var directory = Samples.TemporaryDirectory();
        try
        {
            var root = WriteCavityCases(Path.Combine(directory, "data"), frameDt: 0.05);
            var all = ExperimentConfig.Parse($"data: {{ format: cfdbench, path: {root}, problem: cavity }}", "a.yaml");
            var trajectory = Experiment.LoadTrajectories(all, DataSplit.Train)[0];
            Assert.Equal(0.05, trajectory.Dt);
            Assert.Equal(5, trajectory.Parameters.Length); // CFDBench's vector: speed, density, viscosity, height, width

            var chosen = ExperimentConfig.Parse($"data: {{ format: cfdbench, path: {root}, problem: cavity, parameters: [viscosity, vel_top] }}", "a.yaml");
            var picked = Experiment.LoadTrajectories(chosen, DataSplit.Train)[0];
            var speed = picked.CaseParameters["vel_top"];
            Assert.Equal([(float)((1e-5 - 0.00238) / 0.005), (float)(speed / 50 - 0.5)], picked.Parameters);

            var unknown = ExperimentConfig.Parse($"data: {{ format: cfdbench, path: {root}, problem: cavity, parameters: [reynolds] }}", "a.yaml");
            var error = Assert.Throws<InvalidDataException>(() => Experiment.LoadTrajectories(unknown, DataSplit.Train));
            Assert.Contains("no parameter 'reynolds'", error.Message);
            Assert.Contains("vel_top, density, viscosity, height, width", error.Message);

            // CFDBench's own files record no frame_dt: our generator's interval for the problem then.
            var plain = WriteCavityCases(Path.Combine(directory, "plain"), frameDt: null);
            var fallback = ExperimentConfig.Parse($"data: {{ format: cfdbench, path: {plain}, problem: cavity }}", "a.yaml");
            Assert.Equal(GenerationSettings.Defaults(CfdProblem.Cavity).FrameDt, Experiment.LoadTrajectories(fallback, DataSplit.Train)[0].Dt);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
