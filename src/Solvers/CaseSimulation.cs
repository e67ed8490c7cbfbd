namespace GnnSim.Solvers;

/// <summary>Frames of one run: [frames, ny, nx] float32 each, row index = increasing y, like CFDBench's arrays.</summary>
public sealed record SimulationFrames(int Frames, int Nx, int Ny, double FrameDt, float[] U, float[] V, float[] P);

/// <summary>Runs a flow and records frames at a fixed interval, on the solver grid or resampled onto another.</summary>
public static class CaseSimulation
{
    /// <summary>
    /// Frames at t = 0, frameDt, ..., endTime. With an output grid, each frame is bilinearly resampled
    /// from the cell centres onto the output grid's cell centres (CFDBench's 64 x 64) and set to zero
    /// where <paramref name="outputFluid"/> says solid.
    /// </summary>
    public static SimulationFrames Run(FlowConfiguration config, double endTime, double frameDt,
        (int Nx, int Ny)? outputGrid = null, bool[]? outputFluid = null, Action<int, int>? progress = null,
        CancellationToken cancel = default)
    {
        if (!(frameDt > 0) || !double.IsFinite(frameDt)) throw new ArgumentException($"frame interval must be positive, got {frameDt}");
        if (!(endTime >= frameDt) || !double.IsFinite(endTime)) throw new ArgumentException($"end time {endTime} must be at least one frame interval ({frameDt})");
        double count = endTime / frameDt;
        int intervals = (int)Math.Round(count);
        if (Math.Abs(count - intervals) > 1e-6 * Math.Max(1, count))
            throw new ArgumentException($"end time {endTime} is not a whole number of frame intervals {frameDt}");

        var solver = new NavierStokes2D(config);
        var (nx, ny) = outputGrid ?? (config.Nx, config.Ny);
        if (outputFluid is not null && outputFluid.Length != nx * ny)
            throw new ArgumentException($"output mask has {outputFluid.Length} cells, the output grid {nx * ny}");
        int frames = intervals + 1, size = nx * ny;
        var u = new float[frames * size];
        var v = new float[frames * size];
        var p = new float[frames * size];
        var cu = new double[config.Nx * config.Ny];
        var cv = new double[config.Nx * config.Ny];
        var cp = new double[config.Nx * config.Ny];
        for (int f = 0; f < frames; f++)
        {
            cancel.ThrowIfCancellationRequested();
            if (f > 0) solver.Advance(f * frameDt);
            solver.CellCentredVelocity(cu, cv);
            solver.Pressure(cp);
            if (outputGrid is null)
            {
                Copy(cu, u.AsSpan(f * size, size));
                Copy(cv, v.AsSpan(f * size, size));
                Copy(cp, p.AsSpan(f * size, size));
            }
            else
            {
                Resample(cu, config.Nx, config.Ny, u.AsSpan(f * size, size), nx, ny, outputFluid);
                Resample(cv, config.Nx, config.Ny, v.AsSpan(f * size, size), nx, ny, outputFluid);
                Resample(cp, config.Nx, config.Ny, p.AsSpan(f * size, size), nx, ny, outputFluid);
            }
            progress?.Invoke(f + 1, frames);
        }
        return new SimulationFrames(frames, nx, ny, frameDt, u, v, p);
    }

    static void Copy(double[] source, Span<float> target)
    {
        for (int k = 0; k < source.Length; k++) target[k] = (float)source[k];
    }

    /// <summary>Bilinear resampling between two cell-centred grids over the same box (edges clamp).</summary>
    public static void Resample(ReadOnlySpan<double> source, int sourceNx, int sourceNy, Span<float> target, int nx, int ny, bool[]? fluid = null)
    {
        var columns = new (int Low, int High, double T)[nx];
        for (int i = 0; i < nx; i++) columns[i] = Bracket(i, nx, sourceNx);
        for (int j = 0; j < ny; j++)
        {
            var (j0, j1, ty) = Bracket(j, ny, sourceNy);
            for (int i = 0; i < nx; i++)
            {
                int k = j * nx + i;
                if (fluid is not null && !fluid[k]) { target[k] = 0; continue; }
                var (i0, i1, tx) = columns[i];
                double value = (1 - ty) * ((1 - tx) * source[j0 * sourceNx + i0] + tx * source[j0 * sourceNx + i1])
                             + ty * ((1 - tx) * source[j1 * sourceNx + i0] + tx * source[j1 * sourceNx + i1]);
                target[k] = (float)value;
            }
        }
    }

    /// <summary>The two source cells around target cell <paramref name="index"/>'s centre and the weight of the upper one.</summary>
    static (int Low, int High, double T) Bracket(int index, int count, int sourceCount)
    {
        double position = Math.Clamp((index + 0.5) * sourceCount / count - 0.5, 0, sourceCount - 1);
        int low = (int)position;
        return (low, Math.Min(low + 1, sourceCount - 1), position - low);
    }
}
