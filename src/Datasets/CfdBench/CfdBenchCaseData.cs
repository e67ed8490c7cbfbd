using GnnSim.Datasets.Npy;

namespace GnnSim.Datasets.CfdBench;

/// <summary>
/// One case directory loaded: u and v as [T, H, W] float32 (row = increasing y, column 0 = inlet),
/// the fluid mask (false inside the dam's barrier or the cylinder) and the case parameters.
/// </summary>
public sealed class CfdBenchCaseData
{
    public required string Directory { get; init; }
    public required CfdBenchCase Case { get; init; }
    public required int Frames { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required float[] U { get; init; }
    public required float[] V { get; init; }
    /// <summary>[H * W], true where the cell centre is fluid.</summary>
    public required bool[] Fluid { get; init; }

    /// <summary>Seconds between frames, as case.json's <c>frame_dt</c> records it (our generator writes it; CFDBench's own files may lack it).</summary>
    public double? FrameDt { get; init; }

    public int CellsPerFrame => Height * Width;
    public ReadOnlySpan<float> UFrame(int t) => U.AsSpan(t * CellsPerFrame, CellsPerFrame);
    public ReadOnlySpan<float> VFrame(int t) => V.AsSpan(t * CellsPerFrame, CellsPerFrame);

    public static CfdBenchCaseData Load(string directory, CfdProblem problem)
    {
        var casePath = Path.Combine(directory, "case.json");
        var @case = CaseJson.Read(casePath, problem);
        double? frameDt = CaseJson.ReadValues(casePath).TryGetValue("frame_dt", out var dt) ? dt : null;
        if (frameDt is { } recorded && !(recorded > 0 && double.IsFinite(recorded)))
            throw new InvalidDataException($"{casePath}: frame_dt = {recorded}: must be a positive number of seconds");
        string uPath = Path.Combine(directory, "u.npy"), vPath = Path.Combine(directory, "v.npy");
        var u = NpyFile.ReadFloating(uPath, rank: 3);
        var v = NpyFile.ReadFloating(vPath, rank: 3);
        if (!u.Shape.SequenceEqual(v.Shape))
            throw new InvalidDataException($"{vPath}: shape ({string.Join(", ", v.Shape)}) differs from u.npy's ({string.Join(", ", u.Shape)})");
        int frames = u.Shape[0], height = u.Shape[1], width = u.Shape[2];
        if (frames < 1 || height < 1 || width < 1) throw new InvalidDataException($"{uPath}: empty array ({string.Join(", ", u.Shape)})");
        var uValues = u.ToSingle();
        var vValues = v.ToSingle();
        foreach (var (values, path) in new[] { (uValues, uPath), (vValues, vPath) })
            for (int k = 0; k < values.Length; k++)
                if (!float.IsFinite(values[k])) throw new InvalidDataException($"{path}: non-finite value at flat index {k}");
        return new CfdBenchCaseData
        {
            Directory = directory, Case = @case, Frames = frames, Height = height, Width = width,
            U = uValues, V = vValues, Fluid = @case.FluidMask(width, height), FrameDt = frameDt,
        };
    }

    /// <summary>
    /// The case parameters as the model sees them, in CFDBench's loader order, optionally with
    /// CFDBench's normalization: density (d - 5) / 4, viscosity (mu - 0.00238) / 0.005, and the
    /// driving speed v / 50 - 0.5. The cylinder's vector is vel_in, density, viscosity, height,
    /// width, center_x, center_y, radius (center = -x_min, -y_min, as CFDBench's loader).
    /// </summary>
    /// <summary>The names of <see cref="ParameterVector"/>'s entries, in its order.</summary>
    public static IReadOnlyList<string> ParameterNames(CfdProblem problem) => problem == CfdProblem.Cylinder
        ? [SpeedName(problem), "density", "viscosity", "height", "width", "center_x", "center_y", "radius"]
        : [SpeedName(problem), "density", "viscosity", "height", "width"];

    private static string SpeedName(CfdProblem problem) => CfdBenchCase.Keys(problem)[0];

    public float[] ParameterVector(bool normalize = true)
    {
        var c = Case;
        double density = c["density"], viscosity = c["viscosity"], speed = c.DrivingSpeed;
        if (normalize)
        {
            density = (density - 5) / 4;
            viscosity = (viscosity - 0.00238) / 0.005;
            speed = speed / 50 - 0.5;
        }
        var (x0, y0, width, height) = c.Domain;
        double[] values = c.Problem == CfdProblem.Cylinder
            ? [speed, density, viscosity, height, width, -x0, -y0, c["radius"]]
            : [speed, density, viscosity, height, width];
        return values.Select(x => (float)x).ToArray();
    }
}
