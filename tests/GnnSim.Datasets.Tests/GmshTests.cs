using GnnSim.Datasets.Gmsh;

namespace GnnSim.Datasets.Tests;

public sealed class GmshTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("gnnsim-gmsh-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("temp.msh", "4.1", false, 119, 201, 35)]
    [InlineData("temp_41_bin.msh", "4.1", true, 119, 201, 35)]
    [InlineData("temp_22_bin.msh", "2.2", true, 119, 201, 35)]
    [InlineData("plate_015.msh", "4.1", false, 4903, 9454, 350)]
    [InlineData("airfoil.msh", "2.2", false, 6312, 12263, 361)]
    public void RealFilesReadWithTheirCounts(string file, string version, bool binary, int nodes, int triangles, int lines)
    {
        var mesh = GmshReader.Read(TestData.Path("gmsh/" + file));
        Assert.Equal((version, binary), (mesh.Version, mesh.Binary));
        Assert.Equal((nodes, triangles, lines), (mesh.NodeCount, mesh.TriangleCount, mesh.LineCount));
        // Every triangle is a real one (positive or negative area, never zero) on the file's nodes.
        for (var t = 0; t < mesh.Triangles.Length; t += 3)
        {
            int a = mesh.Triangles[t], b = mesh.Triangles[t + 1], c = mesh.Triangles[t + 2];
            var area = (mesh.Positions[2 * b] - mesh.Positions[2 * a]) * (mesh.Positions[2 * c + 1] - mesh.Positions[2 * a + 1])
                     - (mesh.Positions[2 * c] - mesh.Positions[2 * a]) * (mesh.Positions[2 * b + 1] - mesh.Positions[2 * a + 1]);
            Assert.NotEqual(0, area);
        }
    }

    [Fact]
    public void TheFourEncodingsOfOneMeshAgreeAndKeepTheGroupNames()
    {
        var ascii = GmshReader.Read(TestData.Path("gmsh/temp.msh"));
        foreach (var other in new[] { "temp_41_bin.msh", "temp_22_bin.msh" }.Select(f => GmshReader.Read(TestData.Path("gmsh/" + f))))
        {
            Assert.Equal(ascii.Positions, other.Positions);
            Assert.Equal(ascii.Triangles, other.Triangles);
            Assert.Equal(ascii.Lines, other.Lines);
            Assert.Equal(ascii.LinePhysical, other.LinePhysical);
            Assert.Equal(ascii.TrianglePhysical, other.TrianglePhysical);
        }
        Assert.Equal(["Boundary 1", "Boundary 2", "Boundary 3", "Boundary 4", "Boundary 5", "Boundary 6", "My surface"], ascii.PhysicalGroups.Select(g => g.Name));
        Assert.Equal([1, 2, 3, 4, 5, 6], ascii.LinePhysical.Distinct().Order());
        Assert.All(ascii.TrianglePhysical, p => Assert.Equal(7, p));
    }

    [Fact]
    public void AWrittenMeshReadsBackTheSame()
    {
        var plate = GmshReader.Read(TestData.Path("gmsh/plate_015.msh"));
        var path = Path.Combine(dir, "plate.msh");
        GmshWriter.Write(path, plate);
        var back = GmshReader.Read(path);
        Assert.Equal(plate.Positions, back.Positions);
        Assert.Equal(plate.Triangles, back.Triangles);
        Assert.Equal(plate.Lines.Length, back.Lines.Length);
        // Unnamed groups come back named after their tags, every line in its group (lines are written group by group).
        Assert.Equal(["group 1", "group 2", "group 3", "domain"], back.PhysicalGroups.Select(g => g.Name));
        IEnumerable<string> Labelled(GmshMesh m, Func<int, string> group) => Enumerable.Range(0, m.LineCount)
            .Select(l => $"{m.Lines[2 * l]}-{m.Lines[2 * l + 1]} {group(m.LinePhysical[l])}").Order();
        Assert.Equal(Labelled(plate, tag => $"group {tag}"), Labelled(back, tag => back.Group(1, tag)!.Name));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void QuadsAreSplitIntoTwoTriangles()
    {
        var path = Path.Combine(dir, "quad.msh");
        File.WriteAllText(path, "$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n4\n1 0 0 0\n2 1 0 0\n3 1 1 0\n4 0 1 0\n$EndNodes\n" +
                                "$Elements\n2\n1 3 2 5 1 1 2 3 4\n2 1 2 6 2 1 2\n$EndElements\n");
        var mesh = GmshReader.Read(path);
        Assert.Equal(1, mesh.QuadsSplit);
        Assert.Equal([0, 1, 2, 0, 2, 3], mesh.Triangles);
        Assert.Equal([5, 5], mesh.TrianglePhysical);
        Assert.Equal([0, 1], mesh.Lines);
        Assert.Equal([6], mesh.LinePhysical);
    }

    [Fact]
    public void NodeTypesComeFromTheGroupsAndTheStrongestBoundaryWins()
    {
        var mesh = GmshReader.Read(TestData.Path("gmsh/temp.msh"));
        var walls = GmshNodeTypes.Assign(mesh, null, "temp.msh");
        var boundaryNodes = mesh.Lines.Distinct().ToHashSet();
        for (var n = 0; n < mesh.NodeCount; n++)
            Assert.Equal(boundaryNodes.Contains(n) ? (int)NodeType.WallBoundary : (int)NodeType.Normal, walls[n]);

        var types = GmshNodeTypes.Assign(mesh, "Boundary 1=inflow, Boundary 3=outflow", "temp.msh");
        for (var l = 0; l < mesh.LineCount; l++)
        {
            var expected = mesh.LinePhysical[l] switch { 1 => NodeType.Inflow, 3 => NodeType.Outflow, _ => NodeType.WallBoundary };
            foreach (var node in new[] { mesh.Lines[2 * l], mesh.Lines[2 * l + 1] })
            {
                // A node shared with a wall line is a wall; otherwise it has its own line's type.
                var onWall = Enumerable.Range(0, mesh.LineCount).Any(k => mesh.LinePhysical[k] is not (1 or 3) && (mesh.Lines[2 * k] == node || mesh.Lines[2 * k + 1] == node));
                Assert.Equal(onWall ? (int)NodeType.WallBoundary : (int)expected, types[node]);
            }
        }
        Assert.Contains(types, t => t == (int)NodeType.Inflow);
        Assert.Contains(types, t => t == (int)NodeType.Outflow);

        var unknown = Assert.Throws<InvalidDataException>(() => GmshNodeTypes.Assign(mesh, "inlet=inflow", "temp.msh"));
        Assert.Contains("'inlet'", unknown.Message);
        Assert.Contains("'Boundary 6'", unknown.Message);
        Assert.Contains("not a node type", Assert.Throws<ArgumentException>(() => GmshNodeTypes.Assign(mesh, "Boundary 1=lava", "temp.msh")).Message);
        // Unnamed groups are named by their tags.
        var plate = GmshReader.Read(TestData.Path("gmsh/plate_015.msh"));
        Assert.Contains(GmshNodeTypes.Assign(plate, "2=obstacle", "plate.msh"), t => t == (int)NodeType.Obstacle);
    }

    [Fact]
    public void BoundaryGroupsNamedByNodeTypeReadBackToTheSameTypes()
    {
        // Our meshes go out with their boundary edges grouped by DeepMind type, and come back to the same node types.
        var mesh = GmshReader.Read(TestData.Path("gmsh/temp.msh"));
        var types = GmshNodeTypes.Assign(mesh, "Boundary 1=inflow, Boundary 3=outflow", "temp.msh");
        var groups = GmshNodeTypes.BoundaryGroups(mesh.Triangles, types);
        Assert.Equal(["INFLOW", "OUTFLOW", "WALL_BOUNDARY"], groups.Select(g => g.Name));
        Assert.Equal(mesh.LineCount, groups.Sum(g => g.Lines.Length / 2)); // temp.msh's lines are exactly its boundary
        var path = Path.Combine(dir, "typed.msh");
        GmshWriter.Write(path, mesh.Positions, mesh.Triangles, groups);
        var back = GmshReader.Read(path);
        Assert.Equal(types, GmshNodeTypes.Assign(back, "INFLOW=inflow,OUTFLOW=outflow,WALL_BOUNDARY=wall", path));
    }

    [SkippableFact]
    public void GmshItselfOpensAWrittenMeshAndSavesItBackUnchanged()
    {
        Skip.IfNot(File.Exists("/usr/bin/gmsh"), "Debian's gmsh is not installed (GNNSIM_TEST_TOOLS=1 ./setup.sh as root installs it, as .ci/run does)");
        var mesh = GmshReader.Read(TestData.Path("gmsh/temp.msh"));
        var types = GmshNodeTypes.Assign(mesh, "Boundary 1=inflow, Boundary 3=outflow", "temp.msh");
        var ours = Path.Combine(dir, "ours.msh");
        GmshWriter.Write(ours, mesh.Positions, mesh.Triangles, GmshNodeTypes.BoundaryGroups(mesh.Triangles, types));
        // gmsh parses our 4.1 file and saves it as 2.2 binary: a different writer, read by our other code path.
        var resaved = Path.Combine(dir, "resaved.msh");
        using (var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/gmsh", ["-0", ours, "-format", "msh22", "-bin", "-o", resaved])
            { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(60_000), "gmsh did not finish in a minute");
            Assert.True(process.ExitCode == 0 && !output.Result.Contains("Error"), output.Result + error.Result);
        }
        var back = GmshReader.Read(resaved);
        Assert.Equal(("2.2", true), (back.Version, back.Binary));
        Assert.Equal((mesh.NodeCount, mesh.TriangleCount, mesh.LineCount), (back.NodeCount, back.TriangleCount, back.LineCount));
        Assert.Equal(mesh.Positions, back.Positions);
        Assert.Equal(mesh.Triangles, back.Triangles);
        Assert.Equal(types, GmshNodeTypes.Assign(back, "INFLOW=inflow,OUTFLOW=outflow,WALL_BOUNDARY=wall", resaved));
    }

    [Theory]
    [InlineData("$MeshFormat\n3.0 0 8\n$EndMeshFormat\n", "gmsh format 3.0")]
    [InlineData("$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n1\n1 0 0 0\n$EndNodes\n$Elements\n1\n1 4 0 1 1 1 1\n$EndElements\n", "3D element")]
    [InlineData("$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n1\n1 0 0 0\n$EndNodes\n$Elements\n1\n1 9 0 1 1 1 1 1 1\n$EndElements\n", "element type 9")]
    [InlineData("$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n3\n1 0 0 0\n2 1 0 0\n3 0 1 0\n$EndNodes\n$Elements\n1\n1 2 0 1 2 7\n$EndElements\n", "names node 7")]
    [InlineData("$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n3\n1 0 0 0\n2 nan 0 0\n3 0 1 0\n$EndNodes\n", "non-finite")]
    [InlineData("$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n5\n1 0 0 0\n2 1 0 0\n", "ends inside $Nodes")]
    [InlineData("hello\n", "not a gmsh .msh file")]
    public void BadFilesSayWhatIsWrongAndWhere(string text, string expected)
    {
        var path = Path.Combine(dir, "bad.msh");
        File.WriteAllText(path, text);
        var error = Assert.Throws<InvalidDataException>(() => GmshReader.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void FlippedBytesAndCutFilesNeverCrashOrHang()
    {
        // Seeded mutations of an ASCII and both binary encodings: each read either succeeds or is an InvalidDataException.
        foreach (var file in new[] { "temp.msh", "temp_41_bin.msh", "temp_22_bin.msh" })
            Mutations.Each(File.ReadAllBytes(TestData.Path("gmsh/" + file)), 17, 150, Path.Combine(dir, "mutated.msh"), path =>
            {
                try { GmshReader.Read(path); }
                catch (InvalidDataException e) { Assert.Contains(path, e.Message); }
            });
    }
}
