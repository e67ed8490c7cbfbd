using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GnnSim.Cli.Bench;

/// <summary>
/// The same lid-driven cavity run by OpenFOAM's icoFoam (Debian package <c>openfoam</c>), for the
/// side-by-side solver benchmark: a unit box on an n x n x 1 blockMesh, lid speed 1, nu = 0.01
/// (Re = 100), the settings of OpenFOAM's own cavity tutorial (PISO, 2 correctors, PCG/DIC for p,
/// symmetric Gauss-Seidel for U), a fixed time step at Courant number 0.5, serial.
/// </summary>
internal sealed partial class IcoFoamCavity(int n, double endTime)
{
    public static bool Available() => FindOnPath("icoFoam") is not null && FindOnPath("blockMesh") is not null;

    static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    const string DebianProjectDir = "/usr/share/openfoam";

    public double TimeStep => 0.5 / n;

    /// <summary>Runs blockMesh (untimed) and icoFoam (timed) in a scratch case; returns icoFoam's wall time and the final cell-centred velocity [n * n] each, x fastest.</summary>
    public (double Seconds, int Steps, double[] U, double[] V) Run()
    {
        var caseDir = Directory.CreateTempSubdirectory("gnnsim-icofoam-").FullName;
        try
        {
            WriteCase(caseDir);
            Execute("blockMesh", caseDir);
            var clock = Stopwatch.StartNew();
            Execute("icoFoam", caseDir);
            double seconds = clock.Elapsed.TotalSeconds;
            var (u, v) = ReadVelocity(caseDir);
            return (seconds, (int)Math.Round(endTime / TimeStep), u, v);
        }
        finally { Directory.Delete(caseDir, recursive: true); }
    }

    static void Execute(string program, string caseDir)
    {
        var start = new ProcessStartInfo(program, ["-case", caseDir])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // Debian's binaries are on PATH but find their etc/ (the global controlDict) only through the environment.
        if (Environment.GetEnvironmentVariable("WM_PROJECT_DIR") is null && Directory.Exists(DebianProjectDir))
            start.Environment["WM_PROJECT_DIR"] = DebianProjectDir;
        using var process = Process.Start(start) ?? throw new IOException($"cannot start {program}");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new IOException($"{program} failed (exit {process.ExitCode}): {Tail(error.Result + output.Result)}");
    }

    static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];

    void WriteCase(string dir)
    {
        string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
        string Header(string cls, string obj) => $"FoamFile {{ version 2.0; format ascii; class {cls}; object {obj}; }}\n";
        void Write(string relative, string text)
        {
            var path = Path.Combine(dir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
        Write("system/blockMeshDict", Header("dictionary", "blockMeshDict") + $$"""
            convertToMeters 1;
            vertices ((0 0 0) (1 0 0) (1 1 0) (0 1 0) (0 0 0.1) (1 0 0.1) (1 1 0.1) (0 1 0.1));
            blocks (hex (0 1 2 3 4 5 6 7) ({{n}} {{n}} 1) simpleGrading (1 1 1));
            edges ();
            boundary
            (
                movingWall { type wall; faces ((3 7 6 2)); }
                fixedWalls { type wall; faces ((0 4 7 3) (2 6 5 1) (1 5 4 0)); }
                frontAndBack { type empty; faces ((0 3 2 1) (4 5 6 7)); }
            );
            mergePatchPairs ();
            """);
        Write("system/controlDict", Header("dictionary", "controlDict") + $"""
            application icoFoam;
            startFrom startTime; startTime 0; stopAt endTime; endTime {F(endTime)}; deltaT {F(TimeStep)};
            writeControl timeStep; writeInterval {(int)Math.Round(endTime / TimeStep)}; purgeWrite 0;
            writeFormat ascii; writePrecision 10; writeCompression off; timeFormat general; timePrecision 10;
            runTimeModifiable false;
            """);
        Write("system/fvSchemes", Header("dictionary", "fvSchemes") + """
            ddtSchemes { default Euler; }
            gradSchemes { default Gauss linear; }
            divSchemes { default none; div(phi,U) Gauss linear; }
            laplacianSchemes { default Gauss linear orthogonal; }
            interpolationSchemes { default linear; }
            snGradSchemes { default orthogonal; }
            """);
        Write("system/fvSolution", Header("dictionary", "fvSolution") + """
            solvers
            {
                p { solver PCG; preconditioner DIC; tolerance 1e-06; relTol 0.05; }
                pFinal { solver PCG; preconditioner DIC; tolerance 1e-06; relTol 0; }
                U { solver smoothSolver; smoother symGaussSeidel; tolerance 1e-05; relTol 0; }
            }
            PISO { nCorrectors 2; nNonOrthogonalCorrectors 0; pRefCell 0; pRefValue 0; }
            """);
        Write("constant/transportProperties", Header("dictionary", "transportProperties") + "nu [0 2 -1 0 0 0 0] 0.01;\n");
        Write("0/U", Header("volVectorField", "U") + """
            dimensions [0 1 -1 0 0 0 0];
            internalField uniform (0 0 0);
            boundaryField
            {
                movingWall { type fixedValue; value uniform (1 0 0); }
                fixedWalls { type noSlip; }
                frontAndBack { type empty; }
            }
            """);
        Write("0/p", Header("volScalarField", "p") + """
            dimensions [0 2 -2 0 0 0 0];
            internalField uniform 0;
            boundaryField
            {
                movingWall { type zeroGradient; }
                fixedWalls { type zeroGradient; }
                frontAndBack { type empty; }
            }
            """);
    }

    (double[] U, double[] V) ReadVelocity(string dir)
    {
        var last = Directory.GetDirectories(dir)
            .Select(d => (Dir: d, Time: double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : -1))
            .MaxBy(d => d.Time);
        if (last.Time < endTime * 0.999) throw new IOException($"icoFoam wrote no field at t = {endTime} (latest: {last.Time})");
        var text = File.ReadAllText(Path.Combine(last.Dir, "U"));
        int start = text.IndexOf("internalField", StringComparison.Ordinal);
        var vectors = VectorPattern().Matches(text[start..]).Take(n * n).ToList();
        if (vectors.Count != n * n) throw new IOException($"{last.Dir}/U: expected {n * n} cell vectors, found {vectors.Count}");
        double Parse(Group g) => double.Parse(g.Value, CultureInfo.InvariantCulture);
        return ([.. vectors.Select(m => Parse(m.Groups[1]))], [.. vectors.Select(m => Parse(m.Groups[2]))]);
    }

    [GeneratedRegex(@"\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s+[-+0-9.eE]+\s*\)")]
    private static partial Regex VectorPattern();
}
